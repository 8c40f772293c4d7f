"""`tutorbot curriculum load`: sync the lessons table with the curriculum files."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_db_option, database_url
from bot.settings import get_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("curriculum", help="the study plans")
    actions = parser.add_subparsers(dest="curriculum_command", required=True)
    load = actions.add_parser("load", help="sync the lessons table with the curriculum files")
    add_db_option(load)
    load.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    from bot.app import build_app, check_schema
    from bot.services.curriculum_sync import sync_curriculum

    url = database_url(args)
    await check_schema(url)
    app = build_app(get_settings(), url)
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
