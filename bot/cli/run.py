"""`tutorbot run`: every chat platform the settings configure, on one event loop, plus the
scheduler that pushes lessons and retrospectives through them. Stops cleanly on Ctrl-C /
SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.cli.common import add_db_option, database_url
from bot.settings import get_settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.core import Adapter

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
    parser.set_defaults(handler=run)


def build_services(app: App, adapters: Sequence[Adapter], scheduler: bool = True) -> list[Named]:
    """What to start, in order: the adapters, then the scheduler with them as its transports.
    Stopped in reverse order."""
    services = [Named(adapter.platform, adapter) for adapter in adapters]
    ops = app.settings.ops
    if ops.http_port is not None:
        from bot.ops.server import OpsServer

        # First up and last down: probes get answers while the adapters connect.
        services.insert(0, Named("ops", OpsServer(app, ops.http_host, ops.http_port)))
    if adapters and scheduler:
        from bot.scheduling.periods import QuietHours
        from bot.scheduling.service import SchedulerService

        transports = {adapter.platform: adapter for adapter in adapters}
        schedule = app.settings.schedule
        quiet = QuietHours(schedule.quiet_start, schedule.quiet_end)
        service = SchedulerService(
            app.engine,
            app.sessions,
            app.core,
            quiet,
            transports,
            in_flight=app.settings.dispatch.in_flight,
        )
        services.append(Named("scheduler", service))
    return services


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


async def run(args: argparse.Namespace) -> int:
    from bot.app import build_adapters, build_app, check_schema

    url = database_url(args)
    # Nothing connects before the first query: a missing token is reported before the schema.
    app = build_app(get_settings(), url)
    try:
        adapters = build_adapters(app.settings, app.core)
        if not adapters:
            print(NO_PLATFORM, file=sys.stderr)
            return 2
        await check_schema(url)
        from bot.ops import logs, tokens

        logs.configure(app.settings)
        stop = asyncio.Event()
        _stop_on_signals(stop)
        try:
            await serve(build_services(app, adapters, not args.no_scheduler), stop)
        except Exception as error:
            platform = tokens.rejected_platform(error)
            if platform is None:
                raise
            print(tokens.rejection_message(platform), file=sys.stderr)
            return 2
        finally:
            _default_signals()
    finally:
        await app.close()
    return 0
