"""Lessons as the learner opens them: today's, any past day's (/lesson N), the backlog of past
lessons not done (/backlog), and what comes after the plan's last day."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.markup import Bold, Doc, Line, doc, line
from bot.core.names import plan_name
from bot.core.render import lesson_doc
from bot.db.schedule_models import Group
from bot.services import lessons, progress, reviews
from curriculum import load_plan

BACKLOG_BUTTONS = 8


async def show_lesson(ctx: Context, intro: str | None, day: int | None = None) -> None:
    """A lesson with its Done button: today's, or the given (delivered) day's."""
    learner = ctx.learner
    assert learner is not None and learner.plan is not None
    plan = load_plan(learner.plan)
    lesson = (
        progress.current_lesson(learner, ctx.now)
        if day is None
        else plan.lessons_for(learner.track)[day - 1]
    )
    done = await lessons.is_completed(ctx.session, learner, lesson)
    body = lesson_doc(lesson, learner.track, ctx._, completed=done)
    if intro:
        body = doc(intro) + body
    if learner.paused:
        body = body + doc(
            ctx._("⏸ Your plan is paused: the day does not advance. /resume to continue.")
        )
    if done:
        ctx.say(body)
    else:
        # Today's lesson and each past one keep their own Done button.
        flow = "lesson" if day is None else f"lesson-{lesson.day}"
        await ctx.ask(body, flow, [[(ctx._("✅ Done"), f"done:{lesson.key}")]])


async def open_day(ctx: Context, day: int) -> None:
    """/lesson N: any day whose lesson has come; later days are refused with their date."""
    learner = ctx.enrolled_learner()
    if learner is None:
        return
    length = progress.plan_length(learner)
    if not 1 <= day <= length:
        ctx.say(ctx._("Your plan has days 1 to {length}.").format(length=length))
        return
    reached = progress.calendar_day(learner, progress.local_today(learner.timezone, ctx.now))
    if day > reached:
        ctx.say(
            ctx._(
                "Day {day} has not come yet: you are on Day {current}. /today shows today's lesson."
            ).format(day=day, current=reached)
        )
        return
    await show_lesson(ctx, intro=None, day=None if day == reached else day)


async def _backlog_days(ctx: Context) -> list[int]:
    learner = ctx.learner
    assert learner is not None
    completed = await lessons.completed_days(ctx.session, learner)
    return progress.backlog_days(
        learner, progress.local_today(learner.timezone, ctx.now), completed
    )


async def backlog(ctx: Context, _args: str) -> None:
    """📚 The past lessons not marked done, oldest first, each a button that opens it."""
    learner = ctx.enrolled_learner()
    if learner is None:
        return
    assert learner.plan is not None
    days = await _backlog_days(ctx)
    if not days:
        ctx.say(ctx._("📚 Nothing to catch up: every past lesson is done. 👍"))
        return
    sequence = load_plan(learner.plan).lessons_for(learner.track)
    lines: list[Line] = [
        line(
            Bold(
                ctx.ngettext(
                    "📚 {count} past lesson not done yet",
                    "📚 {count} past lessons not done yet",
                    len(days),
                ).format(count=len(days))
            )
        )
    ]
    lines += [
        line(ctx._("Day {day} · {title}").format(day=day, title=sequence[day - 1].title))
        for day in days[:BACKLOG_BUTTONS]
    ]
    if len(days) > BACKLOG_BUTTONS:
        lines.append(
            line(
                ctx._("… and {count} more; /lesson N opens any of them.").format(
                    count=len(days) - BACKLOG_BUTTONS
                )
            )
        )
    lines.append(line(ctx._("Open one, study it, then press ✅ Done under it.")))
    buttons = [
        (ctx._("Day {day}").format(day=day), f"open:{day}") for day in days[:BACKLOG_BUTTONS]
    ]
    await ctx.ask(
        Doc(tuple(lines)), "backlog", [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    )


def _finished_doc(ctx: Context, done: int, length: int, left: int) -> Doc:
    learner = ctx.learner
    assert learner is not None
    _ = ctx._
    lines: list[Line] = [
        line(
            Bold(
                _("🎓 You have reached the end of {plan}!").format(plan=plan_name(learner.plan, _))
            )
        ),
        line(
            _("All {length} days are behind you; you marked {done} of them done.").format(
                length=length, done=done
            )
        ),
        line(Bold(_("What next"))),
    ]
    if left:
        lines.append(
            line(
                ctx.ngettext(
                    "📚 /backlog — {count} lesson is not marked done yet",
                    "📚 /backlog — {count} lessons are not marked done yet",
                    left,
                ).format(count=left)
            )
        )
    lines += [
        line(_("🃏 /quiz — your cards keep their schedule: keep reviewing what you learned")),
        line(_("🔁 /lesson N — open any lesson of the plan again")),
        line(_("🧭 /settings — switch to another plan (it starts at Day 1)")),
    ]
    return Doc(tuple(lines))


async def plan_finished(ctx: Context) -> None:
    """Instead of repeating the last day: congratulations and what to do next."""
    learner = ctx.learner
    assert learner is not None
    done = await lessons.completed_count(ctx.session, learner)
    left = len(await _backlog_days(ctx))
    ctx.say(_finished_doc(ctx, done, progress.plan_length(learner), left))


async def daily_after_the_end(ctx: Context) -> None:
    """The daily push once the plan is over: the congratulations on its first day, afterwards
    only a reminder when reviews are due (nothing at all otherwise)."""
    learner = ctx.learner
    assert learner is not None
    past = progress.days_past_end(learner, progress.local_today(learner.timezone, ctx.now))
    if past == 1:
        await plan_finished(ctx)
        return
    due = await reviews.due_count(ctx.session, learner.id, ctx.now)
    if due:
        ctx.say(
            ctx.ngettext(
                "🃏 {count} review is due: /quiz", "🃏 {count} reviews are due: /quiz", due
            ).format(count=due)
        )


def group_plan_over(ctx: Context, group: Group) -> Doc:
    """A study group past its plan's last day: no last lesson again, but what is left to do."""
    _ = ctx._
    return doc(
        line(
            Bold(
                _("🎓 The group has reached the end of {plan}!").format(
                    plan=plan_name(group.plan, _)
                )
            )
        ),
        _(
            "/quiz still plays questions from every lesson; an admin can pick a new plan in "
            "/settings."
        ),
    )
