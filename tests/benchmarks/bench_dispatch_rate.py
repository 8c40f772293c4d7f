"""Two dispatcher processes on one PostgreSQL database and Telegram's overall cap of 30
messages/s: what the platform stand-in receives. One JSON line each for
- the shared budget alone (bare messages, no outbox): the goal is 0.95-1.0 of the cap;
- the same with a limiter per process (what the processes did before they shared the budget);
- two whole dispatchers draining the outbox (compose, send, mark sent) at the cap.

Uses TUTORBOT_BENCH_POSTGRES_URL's server with its own database `tutorbot_bench_rate`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from typing import Any

from sqlalchemy.engine import make_url

from bot.adapters.telegram import LIMITS as TELEGRAM_LIMITS
from bot.app import build_app
from bot.services.curriculum_sync import sync_curriculum
from bot.settings import Settings
from tests.benchmarks import pg
from tests.scheduling.test_dispatcher import add_recipients, enqueue
from tests.support.rates import Observed, run_dispatchers
from tests.support.sink import SinkStandIn

CAP = float(TELEGRAM_LIMITS.per_second or 30)
PROCESSES = 2
BARE_PER_PROCESS = 300
OUTBOX_ROWS = 600
IN_FLIGHT = Settings.model_fields["dispatch"].default_factory().in_flight  # type: ignore[misc]


def bench_url() -> str:
    base = os.environ.get(
        "TUTORBOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/tutorbot_bench"
    )
    return str(make_url(base).set(database="tutorbot_bench_rate"))


def line(name: str, observed: Observed, **extra: Any) -> dict[str, Any]:
    return {
        "benchmark": name,
        "database": "postgresql",
        "processes": PROCESSES,
        "messages": observed.messages,
        "seconds": round(observed.seconds, 2),
        "messages_per_second": round(observed.per_second, 2),
        "platform_cap_per_second": CAP,
        "ratio_to_cap": round(observed.share_of(CAP), 3),
        "busiest_second": observed.busiest_second,
        "load_average_1m": round(os.getloadavg()[0], 1),
        **extra,
    }


async def bare(url: str, shared: bool) -> Observed:
    async with SinkStandIn(delay=0.01) as sink:
        return await run_dispatchers(
            url, sink, PROCESSES, CAP, shared=shared, budget_only=BARE_PER_PROCESS
        )


async def whole_dispatchers(url: str) -> Observed:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    try:
        async with app.sessions() as session, session.begin():
            await sync_curriculum(session)
        now = dt.datetime.now(dt.UTC)
        await add_recipients(app, OUTBOX_ROWS, now.date())
        await enqueue(app, now)
    finally:
        await app.close()
    async with SinkStandIn(delay=0.01) as sink:
        return await run_dispatchers(url, sink, PROCESSES, CAP, in_flight=IN_FLIGHT)


async def run() -> list[dict[str, Any]]:
    url = bench_url()
    await pg.recreate(url)
    shared = await bare(url, shared=True)
    separate = await bare(url, shared=False)
    whole = await whole_dispatchers(url)
    return [
        line("dispatch_rate_shared_budget", shared, goal_ratio="0.95-1.0"),
        line("dispatch_rate_limiter_per_process", separate),
        line("dispatch_rate_two_dispatchers_outbox", whole, in_flight=IN_FLIGHT),
    ]


def main() -> list[dict[str, Any]]:
    return asyncio.run(run())


if __name__ == "__main__":
    for row in main():
        print(json.dumps(row), flush=True)
