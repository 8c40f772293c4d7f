"""The weekly retrospective, shaped like the 180-day plan's 每周复盘模板: the week's goals, what was
learned, problems and their explanations, next week's plan, a suggested adjustment, a chart;
for groups a leaderboard. Sent on the recipient's retrospective day and on demand with /retro."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.core.context import Context
from bot.core.i18n import N_, Translate, TranslatePlural
from bot.core.markup import Bold, Doc, Line, line
from bot.core.messages import Reply
from bot.core.wording import streak_text
from bot.db.schedule_models import Group
from bot.services import retros
from bot.services.retros import (
    CATCH_UP,
    FEWER_NEW,
    Adjustment,
    GroupWeekReport,
    PlanWeek,
    ReviewWeek,
    WeakCard,
    WeekReport,
)

log = logging.getLogger(__name__)

TOPICS_SHOWN = 10
PRACTICE_SHOWN = 3
STEM_CHARS = 160
EXPLANATION_CHARS = 240
MEDALS = ("🥇", "🥈", "🥉")
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(value: float) -> int:
    return round(100 * value)


def _header(plan: PlanWeek, report: WeekReport | GroupWeekReport, _: Translate) -> list[Line]:
    week = report.week
    return [
        line(
            Bold(
                _("📅 Week {week} retrospective (Day {first}-{last})").format(
                    week=plan.number, first=plan.first_day, last=plan.last_day
                )
            )
        ),
        line(f"{week.iso} · {week.first:%m-%d} – {week.last:%m-%d}"),
    ]


def _lesson_line(marker: str, day: int, title: str, _: Translate) -> Line:
    return line(f"{marker} " + _("Day {day} · {title}").format(day=day, title=title))


def _review_lines(activity: ReviewWeek, _: Translate) -> list[Line]:
    if not activity.reviews:
        return [line(_("🃏 No reviews this week."))]
    text = _("🃏 Reviews: {count} on {days} of 7 days").format(
        count=activity.reviews, days=activity.active_days
    )
    if activity.retention is not None:
        text += " · " + _("{percent}% right at each card's first try of the day").format(
            percent=_percent(activity.retention)
        )
    per_day = " · ".join(
        f"{_(WEEKDAYS[day.date.weekday()])} {day.reviews}" for day in activity.days
    )
    return [line(text), line(f"📆 {per_day}")]


def _goals(report: WeekReport, _: Translate, ngettext: TranslatePlural) -> list[Line]:
    plan, activity = report.plan, report.activity
    lines = [
        line(Bold(_("🎯 Goals this week"))),
        line(
            _("📚 Lessons done: {done}/{planned} (Day {first}-{last})").format(
                done=plan.done, planned=plan.planned, first=plan.first_day, last=plan.last_day
            )
        ),
    ]
    for item in plan.lessons:
        marker = "✅" if item.done else ("⬜" if item.delivered else "⏳")
        lines.append(_lesson_line(marker, item.lesson.day, item.lesson.title, _))
    lines += _review_lines(activity, _)
    target = _percent(report.target_retention)
    if activity.true_retention is not None:
        lines.append(
            line(
                ngettext(
                    "🎯 True retention: {percent}% (target {target}%) · {count} review of a "
                    "mature card, its first of the day",
                    "🎯 True retention: {percent}% (target {target}%) · {count} reviews of "
                    "mature cards, each card's first of the day",
                    activity.true_retention_reviews,
                ).format(
                    percent=_percent(activity.true_retention),
                    target=target,
                    count=activity.true_retention_reviews,
                )
            )
        )
    else:
        lines.append(
            line(
                _("🎯 True retention: no mature cards reviewed yet (target {target}%)").format(
                    target=target
                )
            )
        )
    if report.streak:
        lines.append(line(streak_text(ngettext, report.streak)))
    return lines


def _learned(plan: PlanWeek, _: Translate, group: bool = False) -> list[Line]:
    lines = [line(Bold(_("🧠 What was learned")))]
    if not plan.topics and group:
        return lines + [line(_("No lessons were delivered this week."))]
    if not plan.topics:
        return lines + [
            line(
                _(
                    "No lesson of this week is marked done yet: press ✅ Done under a lesson once "
                    "you have studied it; /backlog lists the past ones."
                )
            )
        ]
    lines += [line(f"• {topic}") for topic in plan.topics[:TOPICS_SHOWN]]
    if len(plan.topics) > TOPICS_SHOWN:
        lines.append(line(_("… and {count} more").format(count=len(plan.topics) - TOPICS_SHOWN)))
    if plan.practice:
        lines.append(
            line(_("Practice: {tasks}").format(tasks="；".join(plan.practice[:PRACTICE_SHOWN])))
        )
    return lines


def _card_lines(card: WeakCard, detail: str) -> list[Line]:
    lines = [line(f"❓ {_clip(card.stem, STEM_CHARS)}"), line(f"   {detail}")]
    if card.explanation.strip():
        lines.append(line(f"   💡 {_clip(card.explanation, EXPLANATION_CHARS)}"))
    return lines


def _problems(
    weakest: tuple[WeakCard, ...], leeches: tuple[WeakCard, ...], leech_count: int, _: Translate
) -> list[Line]:
    lines = [line(Bold(_("💡 Problems and solutions")))]
    if not weakest and not leech_count:
        return lines + [line(_("No weak spots this week. 👍"))]
    if weakest:
        lines.append(line(_("Weakest cards this week:")))
        for card in weakest:
            detail = _("wrong {failures} of {reviews} times this week · {lapses} lapses").format(
                failures=card.failures, reviews=card.reviews, lapses=card.lapses
            )
            lines += _card_lines(card, detail)
    if leech_count:
        lines.append(
            line(
                _("🩹 Leeches (suspended after repeated lapses): {count}").format(count=leech_count)
            )
        )
        for card in leeches:
            lines += _card_lines(card, _("{lapses} lapses").format(lapses=card.lapses))
    return lines


def _next_week(plan: PlanWeek, _: Translate) -> list[Line]:
    lines = [line(Bold(_("📈 Next week's plan")))]
    if not plan.next_lessons:
        return lines + [line(_("This is the last week of the plan. 🎉"))]
    lines += [_lesson_line("•", lesson.day, lesson.title, _) for lesson in plan.next_lessons]
    practice = list(dict.fromkeys(task for lesson in plan.next_lessons for task in lesson.practice))
    if practice:
        lines.append(
            line(_("Practice: {tasks}").format(tasks="；".join(practice[:PRACTICE_SHOWN])))
        )
    return lines


def _adjustment_line(adjustment: Adjustment, _: Translate) -> Line:
    if adjustment.code == FEWER_NEW:
        assert adjustment.retention is not None and adjustment.target is not None
        return line(
            _(
                "📉 True retention {percent}% is below your target {target}%: take fewer new "
                "cards next week (at most {suggested} a day instead of {current}) and clear "
                "your due reviews first."
            ).format(
                percent=_percent(adjustment.retention),
                target=_percent(adjustment.target),
                suggested=adjustment.suggested_new_per_day,
                current=adjustment.new_per_day,
            )
        )
    if adjustment.code == CATCH_UP:
        return line(
            _(
                "📚 {count} delivered lessons are not done yet (Day {days}): catch up on them "
                "before taking on more. /backlog lists them, /lesson N opens one; press ✅ Done "
                "under a lesson once you have studied it."
            ).format(
                count=adjustment.backlog,
                days=", ".join(str(day) for day in adjustment.missed_days)
                + ("…" if adjustment.backlog > len(adjustment.missed_days) else ""),
            )
        )
    return line(_("✅ You are on track: keep the same pace next week. 💪"))


def _adjustments(report: WeekReport, _: Translate) -> list[Line]:
    return [line(Bold(_("🔄 Plan adjustment")))] + [
        _adjustment_line(adjustment, _) for adjustment in report.adjustments
    ]


def _leaderboard(report: GroupWeekReport, _: Translate) -> list[Line]:
    lines = [line(Bold(_("🏆 Leaderboard")))]
    if not report.leaderboard:
        return lines + [line(_("No members yet: /join to take part."))]
    for rank, standing in enumerate(report.leaderboard, 1):
        medal = MEDALS[rank - 1] if rank <= len(MEDALS) else f"{rank}."
        lines.append(
            line(
                _(
                    "{medal} {name} — {score} points ({reviews} reviews · {lessons} lessons · "
                    "{points} quiz points)"
                ).format(
                    medal=medal,
                    name=_clip(standing.name, 32),
                    score=standing.score,
                    reviews=standing.reviews,
                    lessons=standing.lessons,
                    points=standing.points,
                )
            )
        )
    return lines


def _group_lessons(report: GroupWeekReport, _: Translate) -> list[Line]:
    plan = report.plan
    lines = [line(Bold(_("🎯 The group's lessons this week")))]
    for item in plan.lessons:
        lines.append(
            _lesson_line("📖" if item.delivered else "⏳", item.lesson.day, item.lesson.title, _)
        )
    lines += _review_lines(report.activity, _)
    return lines


def _sections(*parts: list[Line]) -> Doc:
    lines: list[Line] = []
    for part in parts:
        if lines:
            lines.append(())
        lines.extend(part)
    return Doc(tuple(lines))


def learner_doc(
    report: WeekReport, narrative: str | None, _: Translate, ngettext: TranslatePlural
) -> Doc:
    activity = report.activity
    parts = [
        _header(report.plan, report, _),
        _goals(report, _, ngettext),
        _learned(report.plan, _),
        _problems(activity.weakest, report.leeches, report.leech_count, _),
        _next_week(report.plan, _),
        _adjustments(report, _),
    ]
    if narrative:
        parts.append([line(Bold(_("💬 Coach's note"))), line(narrative)])
    return _sections(*parts)


def group_doc(report: GroupWeekReport, narrative: str | None, _: Translate) -> Doc:
    parts = [
        _header(report.plan, report, _),
        _leaderboard(report, _),
        _group_lessons(report, _),
        _learned(report.plan, _, group=True),
        _problems(report.activity.weakest, (), 0, _),
        _next_week(report.plan, _),
    ]
    if narrative:
        parts.append([line(Bold(_("💬 Coach's note"))), line(narrative)])
    return _sections(*parts)


async def _chart(
    ctx: Context, report: WeekReport | GroupWeekReport, recipient_type: str, recipient_id: int
) -> Path | None:
    """The chart image, or None when it cannot be drawn: the text goes out regardless."""
    from bot.services import charts  # matplotlib loads on the first retrospective only

    path = charts.chart_path(
        ctx.settings.retro.chart_dir, recipient_type, recipient_id, report.week.iso
    )
    try:
        return await asyncio.to_thread(
            charts.render_week_chart, report.activity.days, path, ctx.language
        )
    except Exception:
        log.exception("retrospective chart failed for %s %s", recipient_type, recipient_id)
        return None


async def _send(
    ctx: Context,
    report: WeekReport | GroupWeekReport,
    body: Doc,
    recipient_type: str,
    recipient_id: int,
) -> None:
    ctx.say(body)
    image = await _chart(ctx, report, recipient_type, recipient_id)
    if image is not None:
        ctx.replies.append(
            Reply(body=Doc((line(ctx._("📊 Daily reviews and retention this week")),)), image=image)
        )


async def _narrative(ctx: Context, report: WeekReport | GroupWeekReport) -> str | None:
    """The report is read: end the transaction before the model and the chart, which take
    seconds and need no database."""
    await ctx.commit()
    if ctx.llm_client is None:
        return None
    return await retros.write_narrative(
        report, ctx.llm_client, ctx.language, ctx.settings.retro.narrative_max_chars
    )


async def retro_for_learner(ctx: Context, upcoming: bool = False) -> None:
    """The learner's retrospective: the week just ended (scheduled), or with `upcoming` the week
    in progress (/retro)."""
    learner = ctx.learner
    assert learner is not None and learner.enrolled
    report = await retros.learner_week(
        ctx.session,
        learner,
        ctx.now,
        upcoming=upcoming,
        retro=ctx.settings.retro,
        quiz=ctx.settings.quiz,
    )
    narrative = await _narrative(ctx, report)
    await _send(
        ctx, report, learner_doc(report, narrative, ctx._, ctx.ngettext), "learner", learner.id
    )


async def retro_for_group(ctx: Context, group: Group, upcoming: bool = False) -> None:
    """The group's retrospective, posted in its channel."""
    report = await retros.group_week(
        ctx.session, group, ctx.now, upcoming=upcoming, retro=ctx.settings.retro
    )
    narrative = await _narrative(ctx, report)
    await _send(ctx, report, group_doc(report, narrative, ctx._), "group", group.id)


async def retro_command(ctx: Context, _args: str) -> None:
    """/retro: the learner's week so far (in a group chat the group commands answer first)."""
    if ctx.enrolled_learner() is None:
        return
    await retro_for_learner(ctx, upcoming=True)
