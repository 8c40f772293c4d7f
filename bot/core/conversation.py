"""The transport-agnostic bot: one incoming message or press in, platform-neutral replies out."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import commands, enrolment
from bot.core.context import Context
from bot.core.i18n import N_, normalise_language, translator
from bot.core.markup import doc
from bot.core.messages import Incoming, Reply
from bot.services import learners, menus
from bot.services.menus import Refusal
from bot.settings import Settings

log = logging.getLogger(__name__)

Command = Callable[[Context, str], Awaitable[None]]

COMMANDS: dict[str, Command] = {
    "today": commands.today,
    "plan": commands.plan_overview,
    "settings": commands.settings,
    "pause": commands.pause,
    "resume": commands.resume,
    "export": commands.export,
    "forget": commands.forget,
    "help": commands.help_,
}

REFUSALS = {
    Refusal.MALFORMED: N_("That button is not valid."),
    Refusal.UNKNOWN: N_("That button is no longer valid. Send the command again."),
    Refusal.FOREIGN: N_("These buttons belong to someone else."),
    Refusal.USED: N_("That button was already pressed."),
    Refusal.STALE: N_("That menu is out of date: a newer one replaced it."),
    Refusal.EXPIRED: N_("Those buttons have expired. Send the command again."),
}


class Core:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def handle(self, incoming: Incoming, now: dt.datetime) -> list[Reply]:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        text = incoming.text
        try:
            async with self._sessions() as session, session.begin():
                learner = await learners.find_learner(session, incoming.platform, incoming.user_id)
                ctx = Context(session, incoming, now, self._settings, learner)
                if text is not None and len(text) > self._settings.max_message_chars:
                    # Refused before any parsing: nothing a huge message says is acted on.
                    ctx.say(
                        ctx._(
                            "That message is too long ({length} characters). Please keep it under {limit}."
                        ).format(length=len(text), limit=self._settings.max_message_chars)
                    )
                elif incoming.callback is not None:
                    await self._press(ctx, incoming.callback)
                else:
                    await self._text(ctx, text or "")
                return ctx.replies
        except Exception:
            log.exception("failed to handle a %s message", incoming.platform)
            _ = translator(normalise_language(incoming.locale_hint))
            return [
                Reply(
                    body=doc(
                        _(
                            "Sorry, something went wrong on my side. Nothing was changed; please try again."
                        )
                    )
                )
            ]

    async def _text(self, ctx: Context, text: str) -> None:
        stripped = text.strip()
        if stripped.startswith("/"):
            name, _, args = stripped[1:].partition(" ")
            # Group chats address commands as /today@botname.
            name = name.split("@", 1)[0].lower()
            if ctx.learner is not None and name in COMMANDS | {"start": None}:
                ctx.learner.awaiting = None
            if name == "start":
                await enrolment.start(ctx)
            elif name in COMMANDS:
                await COMMANDS[name](ctx, args)
            else:
                ctx.say(
                    ctx._("I don't know the command /{name}. /help lists what I can do.").format(
                        name=name[:32]
                    )
                )
            return
        if ctx.learner is not None and ctx.learner.awaiting:
            await enrolment.typed_answer(ctx, stripped)
            return
        if not stripped:
            ctx.say(ctx._("Send /help to see what I can do."))
            return
        ctx.say(ctx._("I work with commands: /today for your lesson, /help for the full list."))

    async def _press(self, ctx: Context, data: str) -> None:
        press = await menus.resolve_press(ctx.session, ctx.learner, data, ctx.now)
        if isinstance(press, Refusal):
            ctx.say(ctx._(REFUSALS[press]), notice=True)
            return
        assert ctx.learner is not None
        ctx.learner.awaiting = None
        await self._act(ctx, press.action)

    async def _act(self, ctx: Context, action: str) -> None:
        kind, _, rest = action.partition(":")
        if kind in {"lang", "plan", "track", "tz", "time"}:
            value, _, flow = rest.rpartition(":")
            await enrolment.choose(ctx, kind, value, flow)
        elif kind == "set":
            await enrolment.settings_action(ctx, rest)
        elif kind == "switch":
            await enrolment.switch_plan(ctx, rest)
        elif kind == "done":
            await commands.mark_done(ctx, rest)
        elif kind == "pause":
            await commands.pause(ctx, "")
        elif kind == "resume":
            await commands.resume(ctx, "")
        elif kind == "forget" and rest == "yes":
            await commands.forget_confirmed(ctx)
        elif kind == "cancel":
            ctx.say(ctx._("Cancelled. Nothing was changed."))
        else:
            log.warning("unknown action %r in a stored menu", action)
            ctx.say(ctx._(REFUSALS[Refusal.MALFORMED]), notice=True)
