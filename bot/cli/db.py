"""`tutorbot db upgrade|downgrade|current`: the schema, through Alembic."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_db_option, database_url


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="database schema (Alembic)")
    actions = parser.add_subparsers(dest="db_command", required=True)
    upgrade = actions.add_parser("upgrade", help="upgrade to a revision (default head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = actions.add_parser("downgrade", help="downgrade to a revision")
    downgrade.add_argument("revision")
    current = actions.add_parser("current", help="print the current revision")
    for action in (upgrade, downgrade, current):
        add_db_option(action)
        action.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.db.engine import probe

    url = database_url(args)
    await probe(url)
    if args.db_command == "upgrade":
        await migrate.upgrade(url, args.revision)
    elif args.db_command == "downgrade":
        await migrate.downgrade(url, args.revision)
    print(f"database at revision {await migrate.current_revision(url) or 'none (empty)'}")
    return 0
