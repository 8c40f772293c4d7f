"""`tutorbot chat --user NAME [--db URL] [--now ISO]`: the console adapter on stdin/stdout."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.cli.common import add_db_option, database_url
from bot.settings import get_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in this terminal (works piped)")
    parser.add_argument("--user", required=True, help="who you are in this chat")
    add_db_option(parser)
    parser.add_argument("--now", help="pretend it is this ISO datetime (naive = UTC)")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleChat, fixed_clock, system_clock
    from bot.app import build_app, check_schema
    from bot.scheduling.dispatcher import Dispatcher
    from bot.scheduling.periods import QuietHours
    from bot.scheduling.service import tick

    url = database_url(args)
    clock = fixed_clock(args.now) if args.now else system_clock
    await check_schema(url)
    app = build_app(get_settings(), url)
    quiet = QuietHours(app.settings.schedule.quiet_start, app.settings.schedule.quiet_end)
    chat = ConsoleChat(app.core, args.user, clock, sys.stdout)
    # The console is its own scheduler: before each line, whatever push is due arrives first.
    dispatcher = Dispatcher(
        app.sessions, app.core, {chat.platform: chat}, "console", chat.now, only_chat=args.user
    )
    if sys.stdin.isatty():
        print(
            f"tutorbot console · you are {args.user} · /start to begin, /help for commands, Ctrl-D to quit"
        )
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            if line.strip():
                await tick(app.sessions, quiet, chat.now())
                await dispatcher.run_once()
                await chat.send(line)
    finally:
        await app.close()
    return 0
