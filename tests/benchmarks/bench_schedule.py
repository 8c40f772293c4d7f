"""Scheduling on PostgreSQL: 100,000 learners over 24 timezones. Prints one JSON line each for
the tick that enqueues one local hour's pushes, the dispatcher's throughput with the platform
limit lifted, and its throughput capped at Telegram's 30 messages/s (ratio to the cap).

Uses TUTORBOT_BENCH_POSTGRES_URL's server with its own database `tutorbot_bench_schedule`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.adapters.telegram import LIMITS as TELEGRAM_LIMITS
from bot.app import build_app
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.outbox import enqueue_daily
from bot.scheduling.periods import QuietHours
from bot.services.curriculum_sync import sync_curriculum
from bot.settings import Settings
from tests.benchmarks import pg
from tests.support.sink import SinkStandIn, SinkTransport

LEARNERS = 100_000
ZONES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Tongatapu",
]
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
NO_QUIET = QuietHours(dt.time(0), dt.time(0))
DISPATCH_UNCAPPED = 2_000
DISPATCH_CAPPED = 450


def bench_url() -> str:
    base = os.environ.get(
        "TUTORBOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/tutorbot_bench"
    )
    return str(make_url(base).set(database="tutorbot_bench_schedule"))


async def load_learners(url: str, platform: str, count: int, first_id: int) -> None:
    rng = random.Random(first_id)
    connection = await pg.connect(url)
    try:
        await pg.copy_learners(
            connection,
            range(first_id, first_id + count),
            platform,
            lambda i: ZONES[i % len(ZONES)],
            lambda i: dt.time(rng.randrange(24), rng.randrange(60)),
            NOW,
        )
        await connection.execute("ANALYZE learners")
    finally:
        await connection.close()


async def bench_tick(url: str) -> None:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    try:
        async with app.sessions() as session, session.begin():
            await sync_curriculum(session)
        await load_learners(url, "bench", LEARNERS, 1)
        # A start-up tick an hour ago looked at the whole local day so far...
        started = time.perf_counter()
        async with app.sessions() as session, session.begin():
            first = await enqueue_daily(session, NOW - dt.timedelta(hours=1), NO_QUIET)
        print(
            json.dumps(
                {
                    "benchmark": "schedule_tick_startup_whole_day",
                    "database": "postgresql",
                    "learners": LEARNERS,
                    "enqueued": first,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            ),
            flush=True,
        )
        # ...and this one enqueues the pushes of the hour since.
        started = time.perf_counter()
        async with app.sessions() as session, session.begin():
            enqueued = await enqueue_daily(
                session, NOW, NO_QUIET, since=NOW - dt.timedelta(hours=1)
            )
        seconds = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "benchmark": "schedule_tick_one_local_hour",
                    "database": "postgresql",
                    "learners": LEARNERS,
                    "timezones": len(ZONES),
                    "enqueued": enqueued,
                    "seconds": round(seconds, 3),
                    "peak_rss_mb": pg.peak_rss_mb(),
                }
            ),
            flush=True,
        )
        started = time.perf_counter()
        async with app.sessions() as session, session.begin():
            again = await enqueue_daily(session, NOW + dt.timedelta(minutes=1), NO_QUIET, since=NOW)
        print(
            json.dumps(
                {
                    "benchmark": "schedule_tick_steady_minute",
                    "database": "postgresql",
                    "learners": LEARNERS,
                    "enqueued": again,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            ),
            flush=True,
        )
    finally:
        await app.close()


async def bench_dispatch(url: str, count: int, capped: bool) -> None:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    first_id = 1_000_000 + (0 if capped else 100_000)
    platform = "sink"
    try:
        await load_learners(url, platform, count, first_id)
        async with app.sessions() as session, session.begin():
            await session.execute(
                text(
                    "UPDATE learners SET push_time = '00:00', timezone = 'UTC' WHERE platform = 'sink'"
                )
            )
            await session.execute(text("DELETE FROM deliveries WHERE platform = 'sink'"))
            await enqueue_daily(session, NOW, NO_QUIET)
        async with SinkStandIn() as sink:
            transport = SinkTransport(sink.url, TELEGRAM_LIMITS)
            dispatcher = Dispatcher(
                app.sessions,
                app.core,
                {platform: transport},
                "bench",
                lambda: NOW,
                batch_size=50,
                enforce_limits=capped,
            )
            started = time.perf_counter()
            while (await dispatcher.run_once()).handled:
                pass
            seconds = time.perf_counter() - started
            await transport.close()
            delivered = len(sink.received)
        rate = delivered / seconds
        line = {
            "benchmark": "dispatch_capped" if capped else "dispatch_uncapped",
            "database": "postgresql",
            "messages": delivered,
            "seconds": round(seconds, 2),
            "messages_per_second": round(rate, 1),
            "peak_rss_mb": pg.peak_rss_mb(),
        }
        if capped:
            line |= {
                "platform_cap_per_second": TELEGRAM_LIMITS.per_second,
                "ratio_to_cap": round(rate / float(TELEGRAM_LIMITS.per_second or 1), 3),
                "goal_ratio": 0.95,
            }
        print(json.dumps(line), flush=True)
        async with app.sessions() as session, session.begin():
            await session.execute(text("DELETE FROM learners WHERE platform = 'sink'"))
    finally:
        await app.close()


async def run() -> None:
    url = bench_url()
    await pg.recreate(url)
    await bench_tick(url)
    await bench_dispatch(url, DISPATCH_UNCAPPED, capped=False)
    await bench_dispatch(url, DISPATCH_CAPPED, capped=True)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
