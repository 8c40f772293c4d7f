"""Settings typed as text, for learners and study groups alike: `/settings timezone Asia/Tokyo`,
`/settings time 21:30`, `/settings language en`, and a timezone or time typed after "Other".
Parsed once (bot.services.validation), and what is wrong explained once."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.names import LANGUAGE_NAMES
from bot.services.validation import Problem, parse_setting


def explain(ctx: Context, problem: Problem, text: str) -> None:
    shown = text[:64]
    if problem is Problem.BAD_TIMEZONE:
        ctx.say(
            ctx._(
                "“{text}” is not a timezone I know. Use an IANA name such as Asia/Shanghai "
                "or America/Los_Angeles, or /start to pick from a list."
            ).format(text=shown)
        )
    elif problem is Problem.BAD_TIME:
        ctx.say(
            ctx._(
                "“{text}” is not a time of day. Use HH:MM on a 24-hour clock, such as 07:30 or 21:00."
            ).format(text=shown)
        )
    else:
        ctx.say(
            ctx._(
                "Usage: /settings timezone Asia/Shanghai · /settings time 21:30 · /settings language en"
            )
        )


def parse(ctx: Context, args: str) -> tuple[str, str] | None:
    """`/settings` arguments as the (kind, value) of a settings button, or None after a friendly
    reply saying what is wrong."""
    name, _, value = args.strip().partition(" ")
    parsed = parse_setting(name, value.strip(), LANGUAGE_NAMES)
    if isinstance(parsed, Problem):
        explain(ctx, parsed, value.strip())
        return None
    return parsed
