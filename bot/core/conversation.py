"""The transport-agnostic bot: one incoming message or press in, platform-neutral replies out."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import (
    ask,
    catalog,
    commands,
    enrolment,
    groups,
    lesson_views,
    pushes,
    quiz,
    retro,
    stats,
)
from bot.core.admin import admin_command
from bot.core.context import Context
from bot.core.i18n import N_, normalise_language, translator
from bot.core.markup import doc
from bot.core.messages import Incoming, Reply
from bot.core.readable import cleaned, readable
from bot.db.models import Learner
from bot.db.schedule_models import Group
from bot.services import admin, learners, menus
from bot.services.answer_grading import AnswerGrader
from bot.services.ask_engine import AskEngine
from bot.services.llm_client import LLMClient
from bot.services.menus import Refusal
from bot.settings import Settings

log = logging.getLogger(__name__)

Command = Callable[[Context, str], Awaitable[None]]


async def _start(ctx: Context, _args: str) -> None:
    await enrolment.start(ctx)


# The handlers of the catalog's commands (bot/core/catalog.py), per kind of chat.
COMMANDS: dict[str, Command] = {
    "start": _start,
    "today": commands.today,
    "lesson": commands.lesson,
    "backlog": lesson_views.backlog,
    "plan": commands.plan_overview,
    "settings": commands.settings,
    "pause": commands.pause,
    "resume": commands.resume,
    "export": commands.export,
    "forget": commands.forget,
    "help": commands.help_,
    "quiz": quiz.quiz,
    "progress": stats.progress,
    "retro": retro.retro_command,
    "ask": ask.ask,
    "admin": admin_command,
}
GROUP_COMMANDS: dict[str, Command] = {**groups.COMMANDS, "ask": ask.ask}

REFUSALS = {
    Refusal.MALFORMED: N_("That button is not valid."),
    Refusal.UNKNOWN: N_("That button is no longer valid. Send the command again."),
    Refusal.FOREIGN: N_("These buttons belong to someone else."),
    Refusal.USED: N_("That button was already pressed."),
    Refusal.STALE: N_("That menu is out of date: a newer one replaced it."),
    Refusal.EXPIRED: N_("Those buttons have expired. Send the command again."),
}
UNREADABLE = N_(
    "I can't read that message: it contains characters that are not text. Nothing was changed."
)
FAILED = N_("Sorry, something went wrong on my side. Nothing was changed; please try again.")


async def _broadcast(
    session: AsyncSession, recipient_type: str, recipient_id: int, kind: str
) -> list[Reply] | None:
    """An operator's announcement, to whoever is still active (paused or not)."""
    recipient: Learner | Group | None = (
        await session.get(Group, recipient_id)
        if recipient_type == "group"
        else await session.get(Learner, recipient_id)
    )
    text = await admin.broadcast_text(session, kind)
    if recipient is None or not recipient.active or text is None:
        return None
    return [Reply(body=doc(text))]


class Core:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        ask_engine: AskEngine | None = None,
        grader: AnswerGrader | None = None,
        llm_client: LLMClient | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._ask_engine = ask_engine
        self._llm_client = llm_client or (ask_engine.llm_client if ask_engine else None)
        self._grader = grader or AnswerGrader(settings, llm_client=self._llm_client)

    async def handle(self, incoming: Incoming, now: dt.datetime) -> list[Reply]:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        # fsrs and the pure packages demand UTC; adapters may pass any offset (`--now +08:00`).
        now = now.astimezone(dt.UTC)
        incoming = replace(
            incoming,
            display_name=cleaned(incoming.display_name),
            chat_title=cleaned(incoming.chat_title),
        )
        # Until the learner is found, replies speak the platform's hint.
        language = normalise_language(incoming.locale_hint)
        if not (readable(incoming.user_id) and readable(incoming.chat_id)):
            return [Reply(body=doc(translator(language)(UNREADABLE)))]
        text = incoming.text
        try:
            # One unit of work per message: committed at the end, rolled back by an error. A
            # handler may commit earlier before slow work (Context.commit).
            async with self._sessions() as session:
                learner = await learners.find_learner(session, incoming.platform, incoming.user_id)
                if learner is not None and not learner.active:
                    # Marked inactive when the platform said they blocked the bot; writing to us
                    # again means they are reachable again.
                    learner.active = True
                ctx = Context(
                    session,
                    incoming,
                    now,
                    self._settings,
                    learner,
                    ask_engine=self._ask_engine,
                    grader=self._grader,
                    llm_client=self._llm_client,
                )
                # Kept apart from the session, which an error rolls back.
                language = ctx.language
                if text is not None and len(text) > self._settings.max_message_chars:
                    # Refused before any parsing: nothing a huge message says is acted on.
                    ctx.say(
                        ctx._(
                            "That message is too long ({length} characters). Please keep it under {limit}."
                        ).format(length=len(text), limit=self._settings.max_message_chars)
                    )
                elif not (readable(text) and readable(incoming.callback)):
                    ctx.say(ctx._(UNREADABLE), notice=incoming.callback is not None)
                elif incoming.callback is not None:
                    await self._press(ctx, incoming.callback)
                else:
                    await self._text(ctx, text or "")
                await session.commit()
                return ctx.replies
        except Exception:
            log.exception("failed to handle a %s message", incoming.platform)
            return [Reply(body=doc(translator(language)(FAILED)))]

    async def compose(
        self, recipient_type: str, recipient_id: int, kind: str, now: dt.datetime
    ) -> list[Reply] | None:
        """A push for its recipient, built at send time so that it is current; None when the
        recipient is gone, inactive, paused or not enrolled any more (nothing to send)."""
        now = now.astimezone(dt.UTC)
        async with self._sessions() as session:
            replies = await self._compose(session, recipient_type, recipient_id, kind, now)
            await session.commit()
        return replies

    async def _compose(
        self,
        session: AsyncSession,
        recipient_type: str,
        recipient_id: int,
        kind: str,
        now: dt.datetime,
    ) -> list[Reply] | None:
        if kind.startswith(admin.BROADCAST_KIND):
            return await _broadcast(session, recipient_type, recipient_id, kind)
        if recipient_type == "group":
            group = await session.get(Group, recipient_id)
            if group is None or not group.active or group.paused or not group.enrolled:
                return None
            incoming = Incoming(
                platform=group.platform, user_id="", chat_id=group.chat_id, is_group=True
            )
            ctx = Context(
                session,
                incoming,
                now,
                self._settings,
                None,
                language_override=group.language,
                llm_client=self._llm_client,
            )
            await (
                pushes.daily_for_group(ctx, group)
                if kind == "daily"
                else retro.retro_for_group(ctx, group)
            )
            return ctx.replies
        learner = await session.get(Learner, recipient_id)
        if learner is None or not learner.active or learner.paused or not learner.enrolled:
            return None
        incoming = Incoming(
            platform=learner.platform,
            user_id=learner.platform_user_id,
            chat_id=learner.platform_user_id,
        )
        ctx = Context(session, incoming, now, self._settings, learner, llm_client=self._llm_client)
        await (pushes.daily_for_learner(ctx) if kind == "daily" else retro.retro_for_learner(ctx))
        return ctx.replies

    async def recipient_blocked(self, platform: str, user_id: str, now: dt.datetime) -> bool:
        """The platform refused a message because the user blocked the bot: mark the learner
        inactive so nothing is pushed to them until they write again. False when there is no
        such learner."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        async with self._sessions() as session, session.begin():
            found = await learners.mark_inactive(session, platform, user_id)
        if found:
            log.info("%s user %s blocked the bot (%s): marked inactive", platform, user_id, now)
        return found

    async def _text(self, ctx: Context, text: str) -> None:
        stripped = text.strip()
        if stripped.startswith("/"):
            name, _, args = stripped[1:].partition(" ")
            # Group chats address commands as /today@botname.
            name = name.split("@", 1)[0].lower()
            if ctx.learner is not None and (ctx.learner.awaiting or "").startswith(
                ("timezone", "time")
            ):
                # A command abandons a half-typed setting; a quiz card stays open.
                ctx.learner.awaiting = None
            await self._command(ctx, name, args)
            return
        if ctx.incoming.is_group:
            return  # people talk to each other in groups: only commands are for the bot
        if ctx.learner is not None and ctx.learner.awaiting:
            if ctx.learner.awaiting.startswith(("cloze:", "recall:", "quiz:")):
                await quiz.typed(ctx, stripped)
            else:
                await enrolment.typed_answer(ctx, stripped)
            return
        if not stripped:
            ctx.say(ctx._("Send /help to see what I can do."))
            return
        if await ask.followup(ctx, stripped):
            return
        ctx.say(ctx._("I work with commands: /today for your lesson, /help for the full list."))

    async def _command(self, ctx: Context, name: str, args: str) -> None:
        is_group = ctx.incoming.is_group
        spec = catalog.find(name)
        if spec is not None and spec.answers(is_group):
            await (GROUP_COMMANDS if is_group else COMMANDS)[name](ctx, args)
        elif spec is not None and is_group:
            ctx.say(
                ctx._("Send me /{name} in a private chat: it is about you, not the group.").format(
                    name=name
                )
            )
        else:
            ctx.say(
                ctx._("I don't know the command /{name}. /help lists what I can do.").format(
                    name=name[:32]
                )
            )

    async def _press(self, ctx: Context, data: str) -> None:
        press = await menus.resolve_press(ctx.session, ctx.learner, data, ctx.now)
        if isinstance(press, Refusal):
            ctx.say(ctx._(REFUSALS[press]), notice=True)
            return
        if press.flow == groups.GROUP_QUIZ:  # anyone in the group may answer, once
            group_id, question_id, value = press.action.split(":", 1)[1].split(":", 2)
            await groups.answer(ctx, press.menu.token, int(group_id), question_id, value)
            return
        assert ctx.learner is not None
        if press.flow != "quiz":
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
        elif kind == "open":
            await lesson_views.open_day(ctx, int(rest))
        elif kind == "pause":
            await commands.pause(ctx, "")
        elif kind == "resume":
            await commands.resume(ctx, "")
        elif kind == "forget" and rest == "yes":
            await commands.forget_confirmed(ctx)
        elif kind == "explain":
            await quiz.explain(ctx, rest)
        elif kind == "gask":
            group_id, _, field = rest.partition(":")
            await groups.ask_choice(ctx, int(group_id), field)
        elif kind == "gset":
            group_id, field, value = rest.split(":", 2)
            await groups.set_choice(ctx, int(group_id), field, value)
        elif kind in {"qa", "qs", "qr", "qstop"}:
            await quiz.press(ctx, kind, rest)
        elif kind == ask.FEEDBACK_ACTION:
            await ask.feedback(ctx, rest)
        elif kind == "cancel":
            ctx.say(ctx._("Cancelled. Nothing was changed."))
        else:
            log.warning("unknown action %r in a stored menu", action)
            ctx.say(ctx._(REFUSALS[Refusal.MALFORMED]), notice=True)
