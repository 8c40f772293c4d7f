"""PostgreSQL helpers shared by the benchmarks: a fresh database, COPY of learner rows, RSS."""

from __future__ import annotations

import datetime as dt
import resource
from collections.abc import Callable

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.engine import create_engine

LEARNER_COLUMNS = [
    "id",
    "platform",
    "platform_user_id",
    "display_name",
    "language",
    "timezone",
    "push_time",
    "plan",
    "track",
    "start_date",
    "next_lesson_day",
    "anchor_date",
    "paused",
    "active",
    "created_at",
    "updated_at",
]


async def recreate(url: str) -> None:
    """Drop and create the benchmark's database, then migrate it to head."""
    parsed = make_url(url)
    admin = create_engine(str(parsed.set(database="postgres")))
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    await admin.dispose()
    await migrate.upgrade(url)


async def connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(str(make_url(url).set(drivername="postgresql")))


async def copy_learners(
    connection: asyncpg.Connection,
    ids: range,
    platform: str,
    timezone: Callable[[int], str],
    push_time: Callable[[int], dt.time],
    now: dt.datetime,
) -> None:
    """Enrolled learners on ai-fullstack-100/app, loaded with COPY."""
    await connection.copy_records_to_table(
        "learners",
        columns=LEARNER_COLUMNS,
        records=[
            (
                i,
                platform,
                f"u{i}",
                f"learner {i}",
                "zh",
                timezone(i),
                push_time(i),
                "ai-fullstack-100",
                "app",
                dt.date(2026, 1, 1),
                1,
                dt.date(2026, 1, 1),
                False,
                True,
                now,
                now,
            )
            for i in ids
        ],
    )


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
