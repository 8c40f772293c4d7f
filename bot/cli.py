"""`tutorbot` command line: chat, lesson, db, curriculum."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Sequence

from bot.settings import get_settings
from curriculum import PLAN_IDS, CurriculumError, lesson_for


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutorbot", description="A study companion for long study plans."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (works piped)")
    chat.add_argument("--user", required=True, help="who you are in this chat")
    chat.add_argument("--db", help="database URL (default: TUTORBOT_DATABASE__URL)")
    chat.add_argument("--now", help="pretend it is this ISO datetime (naive = UTC)")

    lesson = sub.add_parser("lesson", help="print one lesson of a plan")
    lesson.add_argument("--plan", required=True, choices=PLAN_IDS)
    lesson.add_argument("--track", help="app, algo or fde (ai-fullstack-100 from Day 21)")
    lesson.add_argument("--day", required=True, type=int)
    lesson.add_argument("--json", action="store_true", help="print JSON")

    db = sub.add_parser("db", help="database schema (Alembic)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    for name, help_text in (
        ("upgrade", "upgrade to a revision (default head)"),
        ("downgrade", "downgrade to a revision"),
        ("current", "print the current revision"),
    ):
        action = db_sub.add_parser(name, help=help_text)
        action.add_argument("--db", help="database URL (default: TUTORBOT_DATABASE__URL)")
        if name != "current":
            action.add_argument(
                "revision",
                nargs="?" if name == "upgrade" else None,
                default="head" if name == "upgrade" else None,
            )

    curriculum = sub.add_parser("curriculum", help="the study plans")
    cur_sub = curriculum.add_subparsers(dest="curriculum_command", required=True)
    load = cur_sub.add_parser("load", help="sync the lessons table with the curriculum files")
    load.add_argument("--db", help="database URL (default: TUTORBOT_DATABASE__URL)")
    return parser


def _lesson(args: argparse.Namespace) -> int:
    try:
        found = lesson_for(args.plan, args.track, args.day)
    except CurriculumError as error:
        print(f"tutorbot: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"{found.plan} · {found.track or 'common'} · Day {found.day}: {found.title}")
        for reference in found.references:
            print(f"  {reference.title} <{reference.url}>")
    return 0


async def _db(args: argparse.Namespace) -> int:
    from bot.db import migrate

    url = args.db or get_settings().database.url
    if args.db_command == "upgrade":
        await migrate.upgrade(url, args.revision)
    elif args.db_command == "downgrade":
        await migrate.downgrade(url, args.revision)
    print(f"database at revision {await migrate.current_revision(url) or 'none (empty)'}")
    return 0


async def _curriculum_load(args: argparse.Namespace) -> int:
    from bot.app import build_app, check_schema
    from bot.services.curriculum_sync import sync_curriculum

    settings = get_settings()
    url = args.db or settings.database.url
    await check_schema(url)
    app = build_app(settings, url)
    try:
        async with app.sessions() as session, session.begin():
            report = await sync_curriculum(session)
    finally:
        await app.close()
    print(
        f"curriculum: {report.total} lessons ({report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.retired} retired)"
    )
    return 0


async def _chat(args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleChat, parse_now
    from bot.app import build_app, check_schema

    settings = get_settings()
    url = args.db or settings.database.url
    if args.now:
        fixed = parse_now(args.now)

        def clock() -> dt.datetime:
            return fixed
    else:

        def clock() -> dt.datetime:
            return dt.datetime.now(dt.UTC)

    await check_schema(url)
    app = build_app(settings, url)
    chat = ConsoleChat(app.core, args.user, clock, sys.stdout)
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            f"tutorbot console · you are {args.user} · /start to begin, /help for commands, Ctrl-D to quit"
        )
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            if line.strip():
                await chat.send(line)
    finally:
        await app.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "lesson":
            return _lesson(args)
        if args.command == "db":
            return asyncio.run(_db(args))
        if args.command == "curriculum":
            return asyncio.run(_curriculum_load(args))
        if args.command == "chat":
            return asyncio.run(_chat(args))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a clear one-line message instead of a traceback
        from bot.app import SchemaOutOfDate

        if isinstance(error, SchemaOutOfDate):
            print(f"tutorbot: {error}", file=sys.stderr)
            return 1
        raise
    return 2


if __name__ == "__main__":
    sys.exit(main())
