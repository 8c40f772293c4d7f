"""`tutorbot discord sync [--guild ID]`: publish the slash commands to Discord."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.settings import get_settings

NO_TOKEN = "tutorbot: set TUTORBOT_DISCORD__TOKEN (the bot token of your Discord application)."


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("discord", help="the Discord application")
    actions = parser.add_subparsers(dest="discord_command", required=True)
    sync = actions.add_parser(
        "sync",
        help="publish the slash commands (global ones reach every server within about an hour)",
    )
    sync.add_argument(
        "--guild",
        type=int,
        help="publish to this server only, where they appear at once (for testing)",
    )
    sync.set_defaults(handler=sync_command)


async def sync_command(args: argparse.Namespace) -> int:
    from bot.adapters.discord import sync_commands

    token = get_settings().discord.token
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    synced = await sync_commands(token.get_secret_value(), args.guild)
    where = f"server {args.guild}" if args.guild else "every server (global)"
    print(
        f"discord: {len(synced)} commands synced to {where}: " + ", ".join(c.name for c in synced)
    )
    return 0
