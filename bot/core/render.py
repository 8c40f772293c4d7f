"""Lessons, plans and settings as platform-neutral documents."""

from __future__ import annotations

from bot.core.i18n import Translate
from bot.core.markup import Bold, Doc, Line, Link, doc, line
from bot.core.names import LANGUAGE_NAMES, plan_name, track_name
from bot.db.models import Learner
from curriculum import Lesson, Outline, Plan, load_plan, outline_of

BAR_WIDTH = 20
# Focus cells that carry no advice of their own.
EMPTY_FOCUS = {"", "-", "—", "✅"}


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def _bullets(items: tuple[str, ...]) -> list[Line]:
    return [line(f"• {item}") for item in items]


def lesson_doc(lesson: Lesson, learner_track: str | None, _: Translate, completed: bool) -> Doc:
    outline = outline_of(load_plan(lesson.plan), lesson, learner_track)
    lines: list[Line] = [
        line(Bold(_("Day {day} · {title}").format(day=lesson.day, title=lesson.title))),
        line(lesson.section),
    ]
    if outline.goals:
        lines.append(line(Bold(_("Stage goal")), ": " + "；".join(outline.goals)))
    if lesson.depth:
        lines.append(line(_("Depth: {depth}").format(depth=lesson.depth)))
    topics = tuple(topic for topic in lesson.topics if topic != lesson.title)
    if topics:
        lines += [line(Bold(_("Topics")))] + _bullets(topics)
    focus = lesson.focus.get(learner_track or "", "")
    if focus not in EMPTY_FOCUS:
        lines.append(line(Bold(_("Your focus")), f" ({track_name(learner_track, _)}): {focus}"))
    if lesson.practice:
        lines += [line(Bold(_("Practice")))] + _bullets(lesson.practice)
    if lesson.deliverables:
        lines += [line(Bold(_("Deliverables")))] + _bullets(lesson.deliverables)
    if lesson.references:
        lines.append(line(Bold(_("References"))))
        lines += [line("• ", Link(ref.title, ref.url)) for ref in lesson.references]
    lines += _around(lesson, outline, topics, _)
    if completed:
        lines.append(line(_("✅ Completed")))
    return Doc(tuple(lines))


def _around(lesson: Lesson, outline: Outline, topics: tuple[str, ...], _: Translate) -> list[Line]:
    """What the plan says around a lesson that has no practice of its own: its section's
    practice, the week's deliverables and project day, and plainly when the day is a bare row."""
    lines: list[Line] = []
    if lesson.practice:
        return lines
    section = outline.section
    if section is not None and section.practice:
        first, last = section.day_range
        lines.append(
            line(Bold(_("Practice for Days {first}-{last}").format(first=first, last=last)))
        )
        lines += _bullets(section.practice)
    if outline.deliverables and not lesson.deliverables:
        lines += [line(Bold(_("What this part of the plan delivers")))] + _bullets(
            outline.deliverables
        )
    if outline.project is not None:
        lines.append(
            line(
                Bold(_("📝 Project day")),
                ": "
                + _("Day {day} · {title}").format(
                    day=outline.project.day, title=outline.project.title
                ),
            )
        )
    if not topics and not lesson.references and not lesson.deliverables:
        lines.append(
            line(
                _(
                    "ℹ️ For this day the plan gives only its topic and a focus per track: no "
                    "sub-topics, reading list or exercise of its own."
                )
            )
        )
    return lines


def plan_doc(
    plan: Plan, learner: Learner, day: int, completed: int, upcoming: list[Lesson], _: Translate
) -> Doc:
    length = plan.length(learner.track)
    lines = [line(Bold(plan_name(plan.id, _)))]
    if learner.track:
        lines.append(line(_("Track: {track}").format(track=track_name(learner.track, _))))
    lines.append(
        line(
            _("Day {day} of {length} · {done} lessons done").format(
                day=day, length=length, done=completed
            )
        )
    )
    lines.append(line(f"{progress_bar(completed, length)} {round(100 * completed / length)}%"))
    if learner.paused:
        lines.append(line(_("⏸ Paused. /resume to continue.")))
    lines.append(line(Bold(_("Stages"))))
    for stage in plan.stages:
        first, last = stage.day_range
        marker = "▶" if first <= day <= last else ("✓" if last < day else "·")
        lines.append(line(f"{marker} {stage.title}"))
    if upcoming:
        lines.append(line(Bold(_("Coming up"))))
        lines += [
            line(_("Day {day} · {title}").format(day=item.day, title=item.title))
            for item in upcoming
        ]
    return Doc(tuple(lines))


def settings_doc(learner: Learner, _: Translate) -> Doc:
    rows = [
        (_("Plan"), plan_name(learner.plan, _)),
        (_("Track"), track_name(learner.track, _)),
        (_("Timezone"), learner.timezone),
        (_("Daily lesson time"), learner.push_time.strftime("%H:%M")),
        (_("Language"), LANGUAGE_NAMES.get(learner.language, learner.language)),
        (_("Status"), _("paused") if learner.paused else _("active")),
    ]
    if learner.plan != "ai-fullstack-100":
        rows = [row for row in rows if row[0] != _("Track")]
    pair = _("{name}: {value}")
    return doc(
        line(Bold(_("Your settings"))),
        *[line(pair.format(name=name, value=value)) for name, value in rows],
    )
