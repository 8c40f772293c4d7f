"""Slash commands other than /start: lessons, plan, settings, pause, export, forget, help."""

from __future__ import annotations

import json
import re

from bot.core import enrolment, lesson_views, typed_settings
from bot.core.catalog import Scope, commands_for, help_line
from bot.core.context import Context
from bot.core.lesson_views import show_lesson
from bot.core.markup import Bold, doc, line
from bot.core.messages import Document, Reply
from bot.core.render import plan_doc
from bot.services import learners, lessons, progress
from bot.services.chart_files import forget_charts
from bot.services.export import export_learner
from curriculum import load_plan

UPCOMING_LESSONS = 5
DAY_NUMBER = re.compile(r"[0-9]{1,4}")  # ASCII digits only: int() accepts others


async def today(ctx: Context, args: str) -> None:
    """/today, or /today N as another name for /lesson N."""
    if ctx.enrolled_learner() is None:
        return
    if args.strip():
        await lesson(ctx, args)
        return
    learner = ctx.learner
    assert learner is not None
    if progress.days_past_end(learner, progress.local_today(learner.timezone, ctx.now)):
        await lesson_views.plan_finished(ctx)
        return
    await show_lesson(ctx, intro=None)


async def lesson(ctx: Context, args: str) -> None:
    """/lesson N: the lesson of any day that has come; /lesson alone lists the backlog."""
    if ctx.enrolled_learner() is None:
        return
    argument = args.strip()
    if not argument:
        await lesson_views.backlog(ctx, "")
        return
    if not DAY_NUMBER.fullmatch(argument):
        ctx.say(
            ctx._(
                "Usage: /lesson 3 shows the lesson of Day 3 (any day up to today); "
                "/backlog lists the past lessons you have not done."
            )
        )
        return
    await lesson_views.open_day(ctx, int(argument))


async def mark_done(ctx: Context, lesson_key: str) -> None:
    learner = ctx.learner
    assert learner is not None
    if ctx.enrolled_learner() is None:
        return
    plan = load_plan(learner.plan) if learner.plan else None
    lesson = next((item for item in plan.lessons if item.key == lesson_key), None) if plan else None
    if lesson is None:
        ctx.say(ctx._("That lesson is not part of your current plan any more."), notice=True)
        return
    if not await lessons.complete_lesson(ctx.session, learner, lesson, ctx.now):
        ctx.say(ctx._("Day {day} was already marked as done.").format(day=lesson.day), notice=True)
        return
    total = await lessons.completed_count(ctx.session, learner)
    length = progress.plan_length(learner)
    today = progress.local_today(learner.timezone, ctx.now)
    if lesson.day == progress.calendar_day(learner, today):
        ctx.say(
            ctx._(
                "🎉 Day {day} done! {total} of {length} lessons completed. See you tomorrow."
            ).format(day=lesson.day, total=total, length=length)
        )
        return
    lines = [
        ctx._("🎉 Day {day} done! {total} of {length} lessons completed.").format(
            day=lesson.day, total=total, length=length
        )
    ]
    left = progress.backlog_days(learner, today, await lessons.completed_days(ctx.session, learner))
    if left:
        lines.append(
            ctx.ngettext(
                "📚 {count} more past lesson to catch up: /backlog",
                "📚 {count} more past lessons to catch up: /backlog",
                len(left),
            ).format(count=len(left))
        )
    ctx.say(doc(*lines))


async def plan_overview(ctx: Context, _args: str) -> None:
    if ctx.enrolled_learner() is None:
        return
    learner = ctx.learner
    assert learner is not None and learner.plan is not None
    plan = load_plan(learner.plan)
    day = progress.current_day(learner, progress.local_today(learner.timezone, ctx.now))
    sequence = plan.lessons_for(learner.track)
    upcoming = list(sequence[day : day + UPCOMING_LESSONS])
    completed = await lessons.completed_count(ctx.session, learner)
    ctx.say(plan_doc(plan, learner, day, completed, upcoming, ctx._))


async def settings(ctx: Context, args: str) -> None:
    if ctx.learner is None:
        ctx.say(ctx._("You have not chosen a study plan yet. Send /start to begin."))
        return
    if not args.strip():
        await enrolment.show_settings(ctx)
        return
    parsed = typed_settings.parse(ctx, args)
    if parsed is not None:
        await enrolment.choose(ctx, *parsed, enrolment.SETTINGS)


async def pause(ctx: Context, _args: str) -> None:
    if ctx.enrolled_learner() is None:
        return
    learner = ctx.learner
    assert learner is not None
    if not progress.pause(learner, ctx.now):
        ctx.say(ctx._("Your plan is already paused. /resume when you are ready."))
        return
    ctx.say(
        ctx._(
            "⏸ Paused on Day {day}. No lessons arrive and the day stays put until you /resume."
        ).format(day=learner.next_lesson_day)
    )


async def resume(ctx: Context, _args: str) -> None:
    if ctx.enrolled_learner() is None:
        return
    learner = ctx.learner
    assert learner is not None
    if not progress.resume(learner, ctx.now):
        ctx.say(ctx._("Your plan is not paused."))
        return
    ctx.say(
        ctx._("▶ Welcome back! You continue with Day {day}.").format(day=learner.next_lesson_day)
    )


async def export(ctx: Context, _args: str) -> None:
    if ctx.learner is None:
        ctx.say(ctx._("I have no data about you."))
        return
    data = await export_learner(ctx.session, ctx.learner, ctx.now)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    ctx.replies.append(
        Reply(
            body=doc(ctx._("Here is everything I store about you, as JSON.")),
            document=Document(filename=f"tutorbot-export-{ctx.learner.id}.json", content=content),
        )
    )


async def forget(ctx: Context, _args: str) -> None:
    if ctx.learner is None:
        ctx.say(ctx._("I have no data about you."))
        return
    await ctx.ask(
        doc(
            line(Bold(ctx._("Delete all your data?"))),
            ctx._(
                "Your settings, progress and history will be erased for good. This cannot be undone."
            ),
        ),
        "forget",
        [[(ctx._("Yes, delete everything"), "forget:yes"), (ctx._("Cancel"), "cancel")]],
    )


async def forget_confirmed(ctx: Context) -> None:
    assert ctx.learner is not None
    _ = ctx._  # keep the learner's language for the last reply
    forget_charts(ctx.settings.retro.chart_dir, "learner", ctx.learner.id)
    await learners.delete_learner(ctx.session, ctx.learner)
    ctx.learner = None
    ctx.say(_("All your data has been deleted. Send /start if you ever want to begin again."))


async def help_(ctx: Context, _args: str) -> None:
    _ = ctx._
    ctx.say(
        doc(
            line(Bold(_("What I can do"))),
            *[help_line(spec, _) for spec in commands_for(Scope.PRIVATE)],
            line(Bold(_("In a study group chat"))),
            *[
                help_line(spec, _)
                for spec in commands_for(Scope.GROUP)
                if not spec.answers(is_group=False)
            ],
        )
    )
