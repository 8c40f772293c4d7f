"""The python-telegram-bot `Application` around the core: handlers that translate updates into
core messages, the command menu, polling or webhook, and delivery of scheduled pushes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeAllGroupChats, CallbackQuery, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.streaming import EDIT_INTERVAL_SECONDS
from bot.adapters.telegram.commands import core_commands, menu
from bot.adapters.telegram.incoming import PLATFORM, to_incoming
from bot.adapters.telegram.sending import TelegramSender
from bot.adapters.telegram.webhook import WebhookServer
from bot.core import Core, Reply, render_plain
from bot.core.catalog import Scope
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.core.transport import PlatformLimits, RecipientBlocked, RetryLater

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
# Toasts (answerCallbackQuery text) hold at most 200 characters.
TOAST_LIMIT = 200
# Who administers a group changes rarely; ask Telegram again after this long.
ADMIN_CACHE_SECONDS = 300
# How often the rate limiter waits out a 429 before the error reaches the caller.
RETRY_AFTER_ATTEMPTS = 3
MAX_CONCURRENT_UPDATES = 64
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
POLL_TIMEOUT = dt.timedelta(seconds=30)
# Telegram's documented limits: 30 messages/s overall, 1/s per chat, 20/min per group.
LIMITS = PlatformLimits(per_second=30, per_chat_per_second=1, per_group_per_minute=20)


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram POSTs updates to `url`, which a reverse proxy forwards to
    `listen:port` at the same path; requests without `secret` in the
    X-Telegram-Bot-Api-Secret-Token header are refused (403)."""

    url: str
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8080

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")


class PerChatUpdates(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently (a slow streamed answer holds up
    nobody else); the updates of one chat one after another, in the order they came."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiting: Counter[object] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else None
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    retry_after_attempts: int = RETRY_AFTER_ATTEMPTS,
) -> Application:
    """A PTB Application with the rate limiter (429s are waited out and retried) and per-chat
    ordering. `base_url` points it at another Bot API server (a self-hosted one, or a test's)."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=retry_after_attempts))
        .concurrent_updates(PerChatUpdates())
        .job_queue(None)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    return builder.build()


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class TelegramAdapter:
    """Translates updates into `Core.handle` calls and replies into Bot API calls. Also the
    scheduler's transport for Telegram (`deliver`). Receives updates by long polling, or through
    the webhook server when `webhook` is given."""

    platform = PLATFORM
    limits = LIMITS

    def __init__(
        self,
        core: Core,
        application: Application,
        *,
        clock: Clock = system_clock,
        edit_interval: float = EDIT_INTERVAL_SECONDS,
        webhook: Webhook | None = None,
        poll_timeout: dt.timedelta = POLL_TIMEOUT,
    ) -> None:
        self._core = core
        self.application = application
        self.webhook = webhook
        self._webhook_server: WebhookServer | None = None
        self._poll_timeout = poll_timeout
        self._clock = clock
        self._sender = TelegramSender(application.bot, edit_interval)
        self._admin_cache: dict[tuple[str, str], tuple[bool, float]] = {}
        self._install_handlers()

    # handlers -----------------------------------------------------------------------------

    def _install_handlers(self) -> None:
        new_messages = filters.UpdateType.MESSAGE
        for name in core_commands():
            self.application.add_handler(CommandHandler(name, self._on_update, new_messages))
        self.application.add_handler(
            MessageHandler(new_messages & filters.COMMAND, self._on_other_command)
        )
        self.application.add_handler(
            MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, self._on_update)
        )
        self.application.add_handler(CallbackQueryHandler(self._on_update))
        self.application.add_error_handler(self._on_error)

    async def _on_other_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the core does not have: it says so, unless the command is addressed to
        another bot in a group (/help@otherbot)."""
        text = update.message.text if update.message is not None else None
        command = (text or "").split(maxsplit=1)[0] if text else ""
        _, at, username = command.partition("@")
        if at and username.lower() != (context.bot.username or "").lower():
            return
        await self._on_update(update, context)

    async def _is_admin(self, chat_id: str, user_id: str) -> bool:
        """Whether the user administers the group, cached for a few minutes per (chat, user)."""
        key, now = (chat_id, user_id), time.monotonic()
        cached = self._admin_cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await self.application.bot.get_chat_member(
                chat_id=int(chat_id), user_id=int(user_id)
            )
            admin = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        except TelegramError as error:  # unknown: treat as a member, never as an admin
            log.info("could not ask Telegram who administers %s: %s", chat_id, error)
            admin = False
        self._admin_cache[key] = (admin, now + ADMIN_CACHE_SECONDS)
        return admin

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update)
        if incoming is None:
            return
        if incoming.is_group and (
            incoming.callback is not None or (incoming.text or "").startswith("/")
        ):
            incoming = replace(
                incoming, is_admin=await self._is_admin(incoming.chat_id, incoming.user_id)
            )
        replies = await self._core.handle(incoming, self._clock())
        try:
            if update.callback_query is not None:
                replies = await self._settle_press(update.callback_query, replies)
            await self._sender.send(incoming.chat_id, replies)
        except Forbidden as error:
            await self._blocked(incoming.user_id, incoming.is_group, error)

    async def _settle_press(self, query: CallbackQuery, replies: list[Reply]) -> list[Reply]:
        """Answer the press: refusals as a toast (they change nothing, so the pressed buttons
        stay for their owner); an accepted press spends its menu, so its buttons go away."""
        notices = [reply for reply in replies if reply.notice]
        toast = "\n".join(render_plain(reply.body) for reply in notices)[:TOAST_LIMIT]
        try:
            await query.answer(text=toast or None, show_alert=False)
        except BadRequest as error:  # too old to answer: the press itself was still handled
            log.info("could not answer a callback query: %s", error)
        if not notices and query.message is not None:
            try:
                await query.edit_message_reply_markup(reply_markup=None)
            except BadRequest as error:
                log.info("could not remove a spent keyboard: %s", error)
        return [reply for reply in replies if not reply.notice]

    async def _blocked(self, user_id: str, is_group: bool, error: Forbidden) -> None:
        if is_group:
            # Group membership is the groups feature's business; nothing to mark here.
            log.info("telegram refused a message to a group: %s", error)
            return
        await self._core.recipient_blocked(PLATFORM, user_id, self._clock())

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    # scheduled pushes ---------------------------------------------------------------------

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        """Send a push (the scheduler's transport contract): a blocked bot raises
        RecipientBlocked, a 429 that outlasted the rate limiter's retries RetryLater."""
        try:
            await self._sender.send(chat_id, replies)
        except Forbidden as error:
            raise RecipientBlocked(error.message) from error
        except RetryAfter as error:
            raise RetryLater(_retry_after_seconds(error), error.message) from error

    # lifecycle ----------------------------------------------------------------------------

    async def publish_commands(self) -> None:
        """The command menus of private and of group chats: Chinese by default, English for
        English-speaking clients."""
        bot = self.application.bot
        scopes = ((Scope.PRIVATE, None), (Scope.GROUP, BotCommandScopeAllGroupChats()))
        try:
            for language in LANGUAGES:
                code = None if language == DEFAULT_LANGUAGE else language
                for scope, telegram_scope in scopes:
                    commands = [BotCommand(name, text) for name, text in menu(language, scope)]
                    await bot.set_my_commands(commands, scope=telegram_scope, language_code=code)
        except TelegramError as error:
            log.warning("could not publish the command menu: %s", error)

    async def start(self) -> None:
        """Connect (getMe), publish the command menus and start receiving updates."""
        webhook = self.webhook
        await self.application.initialize()
        await self.publish_commands()
        updater = self.application.updater
        assert updater is not None
        if webhook is None:
            await updater.start_polling(timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES)
        else:
            # Our own server instead of the updater's: it caps the body size and answers a
            # malformed body with a 400 instead of a 500 and a logged traceback.
            await self.application.bot.set_webhook(
                url=webhook.url, allowed_updates=ALLOWED_UPDATES, secret_token=webhook.secret
            )
            self._webhook_server = WebhookServer(
                self.application.bot,
                self.application.update_queue,
                webhook.path,
                webhook.secret,
                webhook.listen,
                webhook.port,
            )
            self._webhook_server.start()
        await self.application.start()
        log.info(
            "telegram bot @%s is up (%s)",
            self.application.bot.username,
            "webhook" if webhook else "polling",
        )

    async def stop(self) -> None:
        if self._webhook_server is not None:
            await self._webhook_server.stop()
            self._webhook_server = None
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
