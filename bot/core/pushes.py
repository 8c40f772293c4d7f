"""Messages the bot sends on its own: the daily lesson push (the weekly retrospective lives in
bot/core/retro.py)."""

from __future__ import annotations

from bot.core import lesson_views
from bot.core.context import Context
from bot.core.markup import Bold, doc, line
from bot.core.render import lesson_doc
from bot.core.wording import streak_text
from bot.db.schedule_models import Group
from bot.services import progress, reviews
from bot.services.learning_stats import streak_length, study_days
from bot.services.progress import local_today


async def daily_for_learner(ctx: Context) -> None:
    """The lesson of the day as /today shows it, plus due reviews and the streak."""
    learner = ctx.learner
    assert learner is not None
    _ = ctx._
    if progress.days_past_end(learner, local_today(learner.timezone, ctx.now)):
        await lesson_views.daily_after_the_end(ctx)
        return
    due = await reviews.due_count(ctx.session, learner.id, ctx.now)
    streak = streak_length(
        await study_days(ctx.session, learner, ctx.now), local_today(learner.timezone, ctx.now)
    )
    summary = [line(Bold(_("☀️ Your lesson for today")))]
    if due:
        summary.append(
            line(
                ctx.ngettext(
                    "🃏 {count} review is due: /quiz", "🃏 {count} reviews are due: /quiz", due
                ).format(count=due)
            )
        )
    if streak:
        summary.append(line(streak_text(ctx.ngettext, streak)))
    ctx.say(doc(*summary))
    await lesson_views.show_lesson(ctx, intro=None)


async def daily_for_group(ctx: Context, group: Group) -> None:
    """The group's lesson of the day, posted in its channel."""
    _ = ctx._
    assert group.plan is not None
    today = progress.local_today(group.timezone, ctx.now)
    past = progress.days_past_end(group, today)
    if past:
        if past == 1:  # once: the group's plan is over
            ctx.say(lesson_views.group_plan_over(ctx, group))
        return
    lesson = progress.current_lesson(group, ctx.now)
    ctx.say(
        doc(
            line(Bold(_("☀️ Today's lesson for the group"))),
            _("Join the leaderboard with /join; /quiz plays a question together."),
        )
        + lesson_doc(lesson, group.track, _, completed=False)
    )
