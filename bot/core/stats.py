"""/progress: streak, cards by state, true retention, the week's due forecast, lessons done."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.markup import Bold, doc, line
from bot.services.learning_stats import learning_stats


async def progress(ctx: Context, _args: str) -> None:
    if ctx.learner is None or not ctx.learner.enrolled:
        ctx.say(ctx._("You have not chosen a study plan yet. Send /start to begin."))
        return
    _ = ctx._
    stats = await learning_stats(ctx.session, ctx.learner, ctx.now)
    retention = (
        _("{percent}% over the last {count} reviews").format(
            percent=round(100 * stats.retention), count=stats.retention_reviews
        )
        if stats.retention is not None
        else _("not enough reviews yet")
    )
    forecast = "  ".join(f"{day.strftime('%m-%d')}: {count}" for day, count in stats.forecast)
    ctx.say(
        doc(
            line(Bold(_("Your progress"))),
            _("🔥 Streak: {days} days").format(days=stats.streak),
            _("📚 Lessons done: {done}/{length}").format(
                done=stats.lessons_done, length=stats.plan_length
            ),
            _(
                "🃏 Cards: {new} new · {learning} learning · {review} review · {relearning} relearning · {suspended} suspended"
            ).format(
                new=stats.new,
                learning=stats.learning,
                review=stats.review,
                relearning=stats.relearning,
                suspended=stats.suspended,
            ),
            _("🎯 True retention: {retention}").format(retention=retention),
            line(Bold(_("Due in the next 7 days"))),
            forecast,
        )
    )
