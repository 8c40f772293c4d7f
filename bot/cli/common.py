"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse

from bot.settings import get_settings


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: TUTORBOT_DATABASE__URL)")


def database_url(args: argparse.Namespace) -> str:
    return args.db or get_settings().database.url
