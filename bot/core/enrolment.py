"""/start onboarding and the settings that share its steps (language, plan, track, timezone, time).

Flow names tell a step where to go next: "onboarding" walks every step in order, "settings"
returns to the settings summary, "switch" finishes a plan change by restarting at Day 1.
"""

from __future__ import annotations

from bot.core import typed_settings
from bot.core.context import Context
from bot.core.i18n import N_, translator
from bot.core.markup import Bold, doc, line
from bot.core.names import (
    COMMON_PUSH_TIMES,
    COMMON_TIMEZONES,
    LANGUAGE_NAMES,
    PLAN_NAMES,
    TRACK_NAMES,
    plan_name,
    track_name,
)
from bot.core.render import settings_doc
from bot.services import learners, progress
from bot.services.validation import Problem, parse_push_time, parse_setting
from curriculum import load_plan

ONBOARDING, SETTINGS, SWITCH = "onboarding", "settings", "switch"
WHICH_LANGUAGE = N_("Which language should I use?")


def _needs_track(plan_id: str | None) -> bool:
    return plan_id is not None and bool(load_plan(plan_id).tracks)


async def ask_language(ctx: Context, flow: str) -> None:
    rows = [[(name, f"lang:{code}:{flow}") for code, name in LANGUAGE_NAMES.items()]]
    if flow == ONBOARDING and not ctx.incoming.locale_hint:
        # Nothing tells us their language yet: ask in both.
        question = f"{translator('zh')(WHICH_LANGUAGE)} · {translator('en')(WHICH_LANGUAGE)}"
    else:
        question = ctx._(WHICH_LANGUAGE)
    await ctx.ask(question, flow, rows)


async def ask_plan(ctx: Context, flow: str) -> None:
    rows = [[(ctx._(name), f"plan:{plan_id}:{flow}")] for plan_id, name in PLAN_NAMES.items()]
    await ctx.ask(ctx._("Which study plan do you follow?"), flow, rows)


async def ask_track(ctx: Context, flow: str) -> None:
    rows = [[(ctx._(name), f"track:{track_id}:{flow}")] for track_id, name in TRACK_NAMES.items()]
    await ctx.ask(
        ctx._("Days 1-20 are shared; from Day 21 each track has its own lessons. Which track?"),
        flow,
        rows,
    )


async def ask_timezone(ctx: Context, flow: str) -> None:
    zones = [(zone, f"tz:{zone}:{flow}") for zone in COMMON_TIMEZONES]
    rows = [zones[i : i + 2] for i in range(0, len(zones), 2)]
    rows.append([(ctx._("Other (type it)"), f"tz:other:{flow}")])
    await ctx.ask(
        ctx._("Which timezone are you in? Your day starts at local midnight."), flow, rows
    )
    _await_typed(ctx, "timezone", flow)


async def ask_push_time(ctx: Context, flow: str) -> None:
    times = [(value, f"time:{value}:{flow}") for value in COMMON_PUSH_TIMES]
    rows = [times[:3], times[3:], [(ctx._("Other (type it)"), f"time:other:{flow}")]]
    await ctx.ask(ctx._("At what local time should the daily lesson arrive?"), flow, rows)
    _await_typed(ctx, "time", flow)


def _await_typed(ctx: Context, what: str, flow: str) -> None:
    """While the buttons show, a typed answer (any IANA name, any HH:MM) counts too."""
    assert ctx.learner is not None
    ctx.learner.awaiting = f"{what}:{flow}"


async def start(ctx: Context) -> None:
    learner = ctx.learner
    if learner is None:
        learner = await learners.create_learner(
            ctx.session,
            ctx.incoming.platform,
            ctx.incoming.user_id,
            ctx.incoming.display_name,
            ctx.language,
            ctx.settings.defaults,
        )
        ctx.learner = learner
    learner.awaiting = None
    if learner.enrolled:
        await show_settings(ctx, ctx._("Welcome back! You are enrolled as follows."))
        return
    # In the platform's language when it tells us one; otherwise in both, until they choose.
    languages = [ctx.language] if ctx.incoming.locale_hint else ["zh", "en"]
    for language in languages:
        _ = translator(language)
        ctx.say(
            doc(
                line(Bold(_("Welcome to tutorbot!"))),
                _(
                    "I send you one lesson a day, quiz you so it sticks, and sum up every week. "
                    "A few quick questions and we start."
                ),
            )
        )
    await ask_language(ctx, ONBOARDING)


async def show_settings(ctx: Context, intro: str | None = None) -> None:
    learner = ctx.learner
    assert learner is not None
    _ = ctx._
    body = settings_doc(learner, _)
    if intro:
        body = doc(intro) + body
    rows = [
        [(_("Timezone"), "set:timezone"), (_("Daily lesson time"), "set:time")],
        [(_("Language"), "set:language"), (_("Plan"), "set:plan")],
    ]
    if _needs_track(learner.plan):
        rows[1].append((_("Track"), "set:track"))
    rows.append(
        [(_("Resume") if learner.paused else _("Pause"), "resume" if learner.paused else "pause")]
    )
    await ctx.ask(body, SETTINGS, rows)


async def _next_step(ctx: Context, flow: str, changed: str) -> None:
    """After a choice: continue onboarding, finish a plan switch, or confirm a settings change."""
    learner = ctx.learner
    assert learner is not None
    if flow == ONBOARDING:
        order = ["language", "plan", "track", "timezone", "time"]
        for step in order[order.index(changed) + 1 :]:
            if step == "plan" and learner.plan is None:
                return await ask_plan(ctx, ONBOARDING)
            if step == "track" and _needs_track(learner.plan) and learner.track is None:
                return await ask_track(ctx, ONBOARDING)
            if step == "timezone":
                return await ask_timezone(ctx, ONBOARDING)
            if step == "time":
                return await ask_push_time(ctx, ONBOARDING)
        progress.enrol(learner, ctx.now)
        return await _welcome_enrolled(ctx)
    if flow == SWITCH and (changed == "track" or not _needs_track(learner.plan)):
        progress.enrol(learner, ctx.now)
        return await _welcome_enrolled(ctx)
    if flow == SWITCH:
        return await ask_track(ctx, SWITCH)
    await show_settings(ctx, ctx._("Saved."))


async def _welcome_enrolled(ctx: Context) -> None:
    learner = ctx.learner
    assert learner is not None
    _ = ctx._
    lines = [
        line(Bold(_("You're all set!"))),
        line(_("Plan: {plan}").format(plan=plan_name(learner.plan, _))),
    ]
    if learner.track:
        lines.append(line(_("Track: {track}").format(track=track_name(learner.track, _))))
    lines += [
        line(
            _("Today is Day 1. Your lesson arrives every day at {time} ({timezone}).").format(
                time=learner.push_time.strftime("%H:%M"), timezone=learner.timezone
            )
        ),
        line(_("Send /today for today's lesson, /help for everything else.")),
    ]
    ctx.say(doc(*lines))


async def choose(ctx: Context, kind: str, value: str, flow: str) -> None:
    """Apply a button choice of kind language/plan/track/tz/time."""
    learner = ctx.learner
    assert learner is not None
    if kind == "lang":
        learner.language = value
        return await _next_step(ctx, flow, "language")
    if kind == "plan":
        if flow == ONBOARDING or not learner.enrolled:
            learner.plan, learner.track = value, None
            return await _next_step(ctx, ONBOARDING, "plan")
        if value == learner.plan:
            return await show_settings(ctx, ctx._("You are already on this plan."))
        await ctx.ask(
            ctx._(
                "Switch to {plan}? You restart at Day 1; lessons you completed stay recorded."
            ).format(plan=plan_name(value, ctx._)),
            SWITCH,
            [[(ctx._("Yes, switch"), f"switch:{value}"), (ctx._("Cancel"), "cancel")]],
        )
        return None
    if kind == "track":
        learner.track = value
        return await _next_step(ctx, flow, "track")
    if kind == "tz":
        if value == "other":
            learner.awaiting = f"timezone:{flow}"
            ctx.say(
                ctx._(
                    "Type your timezone as an IANA name, for example Europe/Paris or Asia/Kolkata."
                )
            )
            ctx.expect_text()
            return None
        progress.move_timezone(learner, value, ctx.now)
        return await _next_step(ctx, flow, "timezone")
    if kind == "time":
        if value == "other":
            learner.awaiting = f"time:{flow}"
            ctx.say(ctx._("Type the time as HH:MM on a 24-hour clock, for example 06:45 or 22:15."))
            ctx.expect_text()
            return None
        parsed = parse_push_time(value)
        assert parsed is not None
        learner.push_time = parsed
        return await _next_step(ctx, flow, "time")


async def switch_plan(ctx: Context, plan_id: str) -> None:
    learner = ctx.learner
    assert learner is not None
    learner.plan, learner.track = plan_id, None
    await _next_step(ctx, SWITCH, "plan")


async def typed_answer(ctx: Context, text: str) -> None:
    """The learner typed a timezone or a time after pressing "Other"."""
    learner = ctx.learner
    assert learner is not None and learner.awaiting is not None
    what, _, flow = learner.awaiting.partition(":")
    parsed = parse_setting("tz" if what == "timezone" else "time", text, LANGUAGE_NAMES)
    if isinstance(parsed, Problem):
        typed_settings.explain(ctx, parsed, text)
        return
    learner.awaiting = None
    await choose(ctx, *parsed, flow)


async def settings_action(ctx: Context, what: str) -> None:
    asks = {
        "timezone": ask_timezone,
        "time": ask_push_time,
        "language": ask_language,
        "plan": ask_plan,
        "track": ask_track,
    }
    await asks[what](ctx, SETTINGS)
