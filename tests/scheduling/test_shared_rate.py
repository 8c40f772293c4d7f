"""A platform's overall rate is one budget for every dispatcher process: two processes on
PostgreSQL together keep to it, and with a limiter each they would not."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.core.transport import PlatformLimits
from bot.db.schedule_models import SENT, Delivery
from bot.scheduling.budget import LocalBudget, SharedBudget, budgets_for
from bot.settings import Settings
from tests.scheduling.test_dispatcher import add_recipients, enqueue
from tests.support.rates import run_dispatchers
from tests.support.sink import SinkStandIn, SinkTransport

TELEGRAM_RATE = 30.0


@pytest.fixture
async def sink() -> AsyncIterator[SinkStandIn]:
    async with SinkStandIn(delay=0.01) as server:
        yield server


async def test_two_processes_together_keep_to_the_platform_rate(
    postgres_database_url: str, sink: SinkStandIn
) -> None:
    observed = await run_dispatchers(postgres_database_url, sink, 2, TELEGRAM_RATE, budget_only=60)
    assert observed.messages == 120
    assert 0.9 <= observed.share_of(TELEGRAM_RATE) <= 1.02, observed
    # Slots are 1/30 s apart, so a second holds 30 or 31; a process (or the stand-in) that the
    # machine stalls for a moment sends (or reads) a few of them together.
    assert observed.busiest_second <= TELEGRAM_RATE * 1.25, observed


async def test_with_a_limiter_each_two_processes_send_twice_the_rate(
    postgres_database_url: str, sink: SinkStandIn
) -> None:
    observed = await run_dispatchers(
        postgres_database_url, sink, 2, TELEGRAM_RATE, shared=False, budget_only=60
    )
    assert observed.share_of(TELEGRAM_RATE) > 1.5, observed


async def test_two_dispatcher_processes_drain_the_outbox_within_the_rate(
    postgres_database_url: str, sink: SinkStandIn, settings: Settings
) -> None:
    rate, total = 10.0, 60
    app = build_app(settings, postgres_database_url)
    try:
        now = dt.datetime.now(dt.UTC)
        await add_recipients(app, total, now.date())
        assert await enqueue(app, now) == total
        observed = await run_dispatchers(postgres_database_url, sink, 2, rate, in_flight=4)
        async with app.sessions() as session:
            senders = await session.scalar(
                select(func.count(Delivery.claimed_by.distinct())).where(Delivery.state == SENT)
            )
    finally:
        await app.close()
    assert senders == 2  # both processes sent
    assert sorted(set(sink.per_chat().values())) == [1] and observed.messages == total
    assert 0.7 <= observed.share_of(rate) <= 1.05, observed


async def test_a_local_budget_spaces_its_slots() -> None:
    budget = LocalBudget(100)
    started = time.monotonic()
    await asyncio.gather(*(budget.acquire() for _ in range(21)))
    assert 0.19 <= time.monotonic() - started < 0.5  # 20 gaps of 10 ms, no burst


async def test_budgets_are_shared_on_postgresql_and_local_on_sqlite(app: App) -> None:
    transport = SinkTransport("http://127.0.0.1:9", PlatformLimits(30, 1, 20))
    try:
        budget = budgets_for(app.engine, {"sink": transport})["sink"]
    finally:
        await transport.close()
    expected = SharedBudget if app.engine.dialect.name == "postgresql" else LocalBudget
    assert isinstance(budget, expected) and budget.per_second == 30
