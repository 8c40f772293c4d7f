"""`tutorbot admin stats | broadcast TEXT | reindex | bank import`: the operators' chat commands
(/admin ...) from the server's shell, where being on the server is the permission."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from bot.cli.common import add_db_option, database_url
from bot.settings import get_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("admin", help="operators' commands: stats, broadcast, ...")
    actions = parser.add_subparsers(dest="admin_command", required=True)
    stats = actions.add_parser("stats", help="learners, groups, reviews, questions, outbox")
    broadcast = actions.add_parser("broadcast", help="send a text to every active learner")
    broadcast.add_argument("text")
    reindex = actions.add_parser("reindex", help="rebuild the search index (as `tutorbot index`)")
    bank = actions.add_parser("bank", help="question banks")
    bank_actions = bank.add_subparsers(dest="bank_action", required=True)
    bank_import = bank_actions.add_parser(
        "import", help="load the banks (as `tutorbot bank import`)"
    )
    for action in (stats, broadcast, reindex, bank_import):
        add_db_option(action)
        action.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.app import build_app, check_schema
    from bot.services import admin
    from bot.services.bank_import import BanksRefused

    url = database_url(args)
    await check_schema(url)
    app = build_app(get_settings(), url)
    now = dt.datetime.now(dt.UTC)
    try:
        if args.admin_command == "reindex":
            from bot.cli.search import run_index

            return await run_index(args)
        async with app.sessions() as session, session.begin():
            if args.admin_command == "stats":
                figures = await admin.stats(session, now)
                outbox = ", ".join(f"{state} {count}" for state, count in figures.outbox.items())
                print(
                    f"learners: {figures.learners} ({figures.active_learners} active, "
                    f"{figures.enrolled_learners} enrolled)\n"
                    f"groups: {figures.groups}\n"
                    f"reviews in the last 24 hours: {figures.reviews_last_day}\n"
                    f"questions: {figures.questions}\n"
                    f"outbox: {outbox or 'empty'}"
                )
            elif args.admin_command == "broadcast":
                text = args.text.strip()
                if not text or len(text) > admin.MAX_BROADCAST_CHARS:
                    print(
                        f"tutorbot: a broadcast needs 1 to {admin.MAX_BROADCAST_CHARS} characters",
                        file=sys.stderr,
                    )
                    return 2
                count = await admin.broadcast(session, text, "cli", now)
                print(f"broadcast queued for {count} recipients")
            else:
                try:
                    report = await admin.import_banks(session)
                except BanksRefused as refused:
                    print(f"tutorbot: {refused}", file=sys.stderr)
                    return 1
                print(
                    f"banks: {report.total} questions ({report.added} added, "
                    f"{report.updated} updated, {report.unchanged} unchanged, "
                    f"{report.retired} retired)"
                )
    finally:
        await app.close()
    return 0
