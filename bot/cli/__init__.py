"""`tutorbot` command line. Each command group lives in its own module with `register(subparsers)`."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence

from bot.cli import admin, bank, chat, curriculum_cmd, db, discord_cmd, lesson, run, search

# Each module adds its sub-command(s) and sets `handler` (sync or async, returning an exit code).
COMMAND_MODULES = [chat, lesson, db, curriculum_cmd, bank, run, discord_cmd, search, admin]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutorbot", description="A study companion for long study plans."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.app import SchemaOutOfDate
    from bot.db.engine import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    try:
        result = args.handler(args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return int(result)
    except KeyboardInterrupt:
        return 130
    except (SchemaOutOfDate, DatabaseUnavailable) as error:
        print(f"tutorbot: {error}", file=sys.stderr)
        return 1
