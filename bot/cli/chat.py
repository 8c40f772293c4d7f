"""`tutorbot chat --user NAME [--db URL] [--now ISO]`: the console adapter on stdin/stdout."""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.cli.common import add_db_option, database_url
from bot.settings import get_settings

if TYPE_CHECKING:
    from bot.adapters.console import ConsoleChat
    from bot.app import App


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in this terminal (works piped)")
    parser.add_argument("--user", required=True, help="who you are in this chat")
    add_db_option(parser)
    parser.add_argument("--now", help="pretend it is this ISO datetime (naive = UTC)")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleChat, fixed_clock, system_clock
    from bot.app import build_app, check_schema

    url = database_url(args)
    clock = fixed_clock(args.now) if args.now else system_clock
    await check_schema(url)
    app = build_app(get_settings(), url)
    chat = ConsoleChat(app.core, args.user, clock, sys.stdout)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 reach the bot (which says it cannot read them) instead of
        # ending the session with a decoding error.
        sys.stdin.reconfigure(errors="surrogateescape")
    if sys.stdin.isatty():
        print(
            f"tutorbot console · you are {args.user} · /start to begin, /help for commands, Ctrl-D to quit"
        )
    try:
        await converse(app, chat, lambda: asyncio.to_thread(sys.stdin.readline))
    finally:
        await app.close()
    return 0


async def converse(app: App, chat: ConsoleChat, read_line: Callable[[], Awaitable[str]]) -> None:
    """Lines until the input ends. The console is its own scheduler: before each line, whatever
    push is due for this user (and nobody else in the database) arrives first."""
    from bot.scheduling.dispatcher import Dispatcher
    from bot.scheduling.periods import QuietHours
    from bot.scheduling.service import tick

    quiet = QuietHours(app.settings.schedule.quiet_start, app.settings.schedule.quiet_end)
    dispatcher = Dispatcher(
        app.sessions, app.core, {chat.platform: chat}, "console", chat.now, only_chat=chat.user
    )
    while line := await read_line():
        if line.strip():
            await tick(app.sessions, quiet, chat.now())
            await dispatcher.run_once()
            await chat.send(line)
