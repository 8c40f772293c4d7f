"""`tutorbot run`: every chat platform that has a token, on one event loop, plus the scheduler
that pushes lessons and retrospectives through them. Stops cleanly on Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.cli.common import add_db_option, database_url
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.adapters.telegram import TelegramAdapter, Webhook
    from bot.app import App

log = logging.getLogger(__name__)

NO_PLATFORM = (
    "tutorbot: nothing to run: no chat platform has a token. Set TUTORBOT_TELEGRAM__TOKEN "
    "(from @BotFather) and/or TUTORBOT_DISCORD__TOKEN, in the environment or in .env; "
    "`tutorbot chat` talks to the bot in this terminal without either."
)


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Named:
    name: str
    service: Service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the bot on every platform that has a token, plus the scheduler"
    )
    add_db_option(parser)
    parser.add_argument(
        "--no-scheduler",
        action="store_true",
        help="only answer messages (another process pushes the lessons)",
    )
    telegram = parser.add_argument_group("telegram")
    telegram.add_argument(
        "--telegram-api-url",
        help="Bot API base URL, for a self-hosted telegram-bot-api server "
        "(default https://api.telegram.org/bot)",
    )
    telegram.add_argument(
        "--webhook-listen",
        default="0.0.0.0",
        help="webhook mode: address the webhook server listens on (default 0.0.0.0)",
    )
    telegram.add_argument(
        "--webhook-port",
        type=int,
        default=8080,
        help="webhook mode: port the webhook server listens on, behind your HTTPS proxy "
        "(default 8080)",
    )
    parser.set_defaults(handler=run)


def has_chat_platform(settings: Settings) -> bool:
    return bool(settings.telegram.token or settings.discord.token)


def build_services(app: App, args: argparse.Namespace) -> list[Named]:
    """What to start, in order: the chat adapters that have a token, then the scheduler with
    those adapters as its transports. Stopped in reverse order."""
    from bot.adapters.telegram import TelegramAdapter, Webhook, build_application

    settings = app.settings
    services: list[Named] = []
    transports: dict[str, Any] = {}
    if settings.telegram.token is not None:
        application = build_application(
            settings.telegram.token.get_secret_value(), base_url=args.telegram_api_url
        )
        adapter = TelegramAdapter(app.core, application)
        webhook = None
        if settings.telegram.webhook_url:
            secret = settings.telegram.webhook_secret
            webhook = Webhook(
                url=settings.telegram.webhook_url,
                # Without a configured secret, one per run: Telegram learns it from setWebhook.
                secret=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
                listen=args.webhook_listen,
                port=args.webhook_port,
            )
        services.append(Named("telegram", TelegramService(adapter, webhook)))
        transports[adapter.platform] = adapter
    if settings.discord.token is not None:
        from bot.adapters.discord import DiscordAdapter

        discord = DiscordAdapter.from_settings(settings, app.core)
        services.append(Named("discord", discord))
        transports[discord.platform] = discord
    if transports and not args.no_scheduler:
        from bot.scheduling.service import SchedulerService

        services.append(Named("scheduler", SchedulerService(app, transports)))
    return services


@dataclass
class TelegramService:
    adapter: TelegramAdapter
    webhook: Webhook | None = None

    async def start(self) -> None:
        await self.adapter.start(self.webhook)

    async def stop(self) -> None:
        await self.adapter.stop()


async def serve(services: Sequence[Named], stop: asyncio.Event) -> None:
    """Start the services in order, run until `stop` is set, stop them in reverse order (also
    when one fails to start)."""
    started: list[Named] = []
    try:
        for named in services:
            await named.service.start()
            started.append(named)
            log.info("%s started", named.name)
        await stop.wait()
    finally:
        for named in reversed(started):
            try:
                await named.service.stop()
            except Exception:
                log.exception("%s did not stop cleanly", named.name)
            else:
                log.info("%s stopped", named.name)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            loop.add_signal_handler(number, stop.set)


def _default_signals() -> None:
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(number)


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Two lines a minute for every scheduler tick otherwise.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


async def run(args: argparse.Namespace) -> int:
    from bot.app import build_app, check_schema

    settings = get_settings()
    if not has_chat_platform(settings):
        print(NO_PLATFORM, file=sys.stderr)
        return 2
    url = database_url(args)
    await check_schema(url)
    _configure_logging()
    app = build_app(settings, url)
    try:
        services = build_services(app, args)
        stop = asyncio.Event()
        _stop_on_signals(stop)
        try:
            await serve(services, stop)
        finally:
            _default_signals()
    finally:
        await app.close()
    return 0
