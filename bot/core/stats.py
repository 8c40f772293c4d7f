"""/progress: streak, cards by state, true retention, the week's due forecast, lessons done."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.markup import Bold, doc, line
from bot.core.wording import streak_text
from bot.services.learning_stats import RETENTION_WINDOW_DAYS, learning_stats


async def progress(ctx: Context, _args: str) -> None:
    learner = ctx.enrolled_learner()
    if learner is None:
        return
    _ = ctx._
    stats = await learning_stats(ctx.session, learner, ctx.now)
    retention = (
        ctx.ngettext(
            "{percent}% remembered · {count} review of a mature card (its first of the day) "
            "in the last {days} days",
            "{percent}% remembered · {count} reviews of mature cards (each card's first of the "
            "day) in the last {days} days",
            stats.retention_reviews,
        ).format(
            percent=round(100 * stats.retention),
            count=stats.retention_reviews,
            days=RETENTION_WINDOW_DAYS,
        )
        if stats.retention is not None
        else _("no review of a mature card in the last {days} days yet").format(
            days=RETENTION_WINDOW_DAYS
        )
    )
    forecast = "  ".join(f"{day.strftime('%m-%d')}: {count}" for day, count in stats.forecast)
    ctx.say(
        doc(
            line(Bold(_("Your progress"))),
            streak_text(ctx.ngettext, stats.streak),
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
