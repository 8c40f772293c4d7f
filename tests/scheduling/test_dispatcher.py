"""The dispatcher against an HTTP stand-in platform: delivery, 429, network errors, blocked
recipients, paused recipients; a SIGKILLed dispatcher process; two dispatchers on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.db.models import Learner
from bot.db.schedule_models import DEAD, FAILED, SENT, Delivery
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.outbox import enqueue_daily
from bot.scheduling.periods import QuietHours
from bot.settings import Settings
from tests.support.sink import SinkStandIn, SinkTransport

NO_QUIET = QuietHours(dt.time(0), dt.time(0))


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def add_recipients(app: App, count: int, today: dt.date) -> None:
    async with app.sessions() as session, session.begin():
        for number in range(count):
            session.add(
                Learner(
                    platform="sink",
                    platform_user_id=f"chat{number}",
                    display_name=f"L{number}",
                    language="zh",
                    timezone="UTC",
                    push_time=dt.time(0, 0),
                    plan="llm-app-180",
                    start_date=today,
                    anchor_date=today,
                )
            )


async def enqueue(app: App, now: dt.datetime) -> int:
    async with app.sessions() as session, session.begin():
        return await enqueue_daily(session, now, NO_QUIET)


async def states(app: App) -> dict[str, str]:
    async with app.sessions() as session:
        return {row.chat_id: row.state for row in await session.scalars(select(Delivery))}


@pytest.fixture
async def sink() -> AsyncIterator[SinkStandIn]:
    async with SinkStandIn() as server:
        yield server


async def test_sends_each_push_once_with_the_lesson(app: App, sink: SinkStandIn) -> None:
    now = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    await add_recipients(app, 5, now.date())
    assert await enqueue(app, now) == 5
    assert await enqueue(app, now + dt.timedelta(minutes=1)) == 0  # the unique key holds
    transport = SinkTransport(sink.url)
    dispatcher = Dispatcher(app.sessions, app.core, {"sink": transport}, "w1", Clock(now))
    report = await dispatcher.run_once()
    await transport.close()
    assert report.sent == 5
    assert sorted(sink.per_chat().values()) == [1] * 5
    assert all("Transformer架构原理" in text for _, text in sink.received)  # day 1 of llm-app-180
    assert set((await states(app)).values()) == {SENT}
    assert (await dispatcher.run_once()).handled == 0


async def test_429_network_errors_and_blocked_recipients(app: App, sink: SinkStandIn) -> None:
    now = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    await add_recipients(app, 4, now.date())
    await enqueue(app, now)
    sink.rate_limited_once.add("chat0")
    sink.failing_once.add("chat1")
    sink.blocked.add("chat2")
    clock = Clock(now)
    transport = SinkTransport(sink.url)
    dispatcher = Dispatcher(app.sessions, app.core, {"sink": transport}, "w1", clock)
    report = await dispatcher.run_once()
    assert (report.sent, report.retried, report.dead) == (1, 2, 1)
    assert await states(app) == {"chat0": FAILED, "chat1": FAILED, "chat2": DEAD, "chat3": SENT}
    async with app.sessions() as session:
        blocked = await session.scalar(select(Learner).where(Learner.platform_user_id == "chat2"))
        retry = await session.scalar(select(Delivery).where(Delivery.chat_id == "chat0"))
    assert blocked is not None and blocked.active is False  # never retried, never scheduled again
    assert retry is not None and retry.next_attempt_at == now + dt.timedelta(
        seconds=3
    )  # retry_after
    clock.now = now + dt.timedelta(seconds=2)
    assert (await dispatcher.run_once()).handled == 0  # 429 honoured: not yet
    clock.now = now + dt.timedelta(seconds=31)  # past retry_after and the first network backoff
    report = await dispatcher.run_once()
    await transport.close()
    assert report.sent == 2
    assert sink.per_chat() == {"chat0": 1, "chat1": 1, "chat3": 1}
    async with app.sessions() as session, session.begin():
        assert await enqueue_daily(session, now + dt.timedelta(days=1), NO_QUIET) == 3  # not chat2


async def test_a_recipient_who_paused_after_enqueueing_gets_nothing(
    app: App, sink: SinkStandIn
) -> None:
    now = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    await add_recipients(app, 2, now.date())
    await enqueue(app, now)
    async with app.sessions() as session, session.begin():
        learner = await session.scalar(select(Learner).where(Learner.platform_user_id == "chat0"))
        assert learner is not None
        learner.paused = True
    transport = SinkTransport(sink.url)
    report = await Dispatcher(
        app.sessions, app.core, {"sink": transport}, "w1", Clock(now)
    ).run_once()
    await transport.close()
    assert (report.sent, report.skipped) == (1, 1)
    assert sink.per_chat() == {"chat1": 1}


async def test_a_killed_dispatcher_loses_nothing_and_repeats_at_most_one(
    app: App, database_url: str, sink: SinkStandIn
) -> None:
    now = dt.datetime.now(dt.UTC)
    total = 120
    await add_recipients(app, total, now.date())
    assert await enqueue(app, now) == total
    sink.delay = 0.02
    command = [
        sys.executable,
        "-m",
        "tests.scheduling.dispatch_worker",
        "--db",
        database_url,
        "--sink",
        sink.url,
        "--lease",
        "1",
    ]
    first = await asyncio.create_subprocess_exec(*command)
    while len(sink.received) < 40:  # noqa: ASYNC110 - waiting on another process's effect
        await asyncio.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    await first.wait()
    received_at_kill = len(sink.received)
    assert received_at_kill < total  # killed in the middle of the run
    second = await asyncio.create_subprocess_exec(*command)
    await asyncio.wait_for(second.wait(), timeout=120)
    assert second.returncode == 0
    counts = sink.per_chat()
    assert set(counts) == {f"chat{number}" for number in range(total)}  # nothing lost
    assert sum(count - 1 for count in counts.values()) <= 1  # at most the one in flight, twice
    assert set((await states(app)).values()) == {SENT}


async def test_two_dispatchers_on_postgresql_share_one_outbox_without_sending_twice(
    postgres_database_url: str, sink: SinkStandIn, settings: Settings
) -> None:
    database_url = postgres_database_url
    apps = [build_app(settings, database_url) for _ in range(2)]
    now = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    await add_recipients(apps[0], 200, now.date())
    await enqueue(apps[0], now)
    sink.delay = 0.002
    transports = [SinkTransport(sink.url) for _ in apps]
    dispatchers = [
        Dispatcher(
            app.sessions, app.core, {"sink": transport}, f"w{index}", Clock(now), batch_size=10
        )
        for index, (app, transport) in enumerate(zip(apps, transports, strict=True))
    ]

    async def drain(dispatcher: Dispatcher) -> int:
        sent = 0
        while (report := await dispatcher.run_once()).handled:
            sent += report.sent
        return sent

    shares = await asyncio.gather(*(drain(dispatcher) for dispatcher in dispatchers))
    for transport in transports:
        await transport.close()
    for app in apps:
        await app.close()
    assert sum(shares) == 200 and min(shares) > 0  # both worked
    assert sorted(set(sink.per_chat().values())) == [1] and len(sink.per_chat()) == 200
