"""`tutorbot db upgrade|downgrade|current|check`: the schema, through Alembic. `check` exits 1
while the database is not at the code's revision (or cannot be reached), for start-up scripts
that wait for the migrations."""

from __future__ import annotations

import argparse
import sys
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
    check = actions.add_parser("check", help="exit 1 unless the schema is up to date")
    for action in (upgrade, downgrade, current, check):
        add_db_option(action)
        action.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.db.engine import probe

    url = database_url(args)
    await probe(url)
    if args.db_command == "check":
        return await _check(url)
    if args.db_command == "upgrade":
        await migrate.upgrade(url, args.revision)
    elif args.db_command == "downgrade":
        await migrate.downgrade(url, args.revision)
    print(f"database at revision {await migrate.current_revision(url) or 'none (empty)'}")
    return 0


async def _check(url: str) -> int:
    from bot.app import SchemaOutOfDate, check_schema

    try:
        await check_schema(url)
    except SchemaOutOfDate as error:
        print(f"tutorbot: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # the database is not there yet
        print(f"tutorbot: cannot read the schema: {type(error).__name__}", file=sys.stderr)
        return 1
    print("database schema up to date")
    return 0
