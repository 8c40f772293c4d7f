"""APScheduler wiring: the minute tick (leader only), nightly maintenance, and the dispatcher,
which every process runs (they share the outbox)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Mapping

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import Core, Transport
from bot.scheduling import maintenance, outbox
from bot.scheduling.budget import budgets_for
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.leader import LeaderLock
from bot.scheduling.periods import QuietHours

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def tick(
    sessions: async_sessionmaker[AsyncSession],
    quiet: QuietHours,
    now: dt.datetime,
    since: dt.datetime | None = None,
) -> tuple[int, int]:
    """Enqueue every push that is due now: (daily, retrospectives). `since` is the previous
    tick of this process, None after a start (then the whole local day so far is looked at)."""
    async with sessions() as session, session.begin():
        daily = await outbox.enqueue_daily(session, now, quiet, since)
        retros = await outbox.enqueue_retros(session, now, since)
    return daily, retros


class SchedulerService:
    """The minute tick and nightly maintenance (while this process holds the leader lock) and
    the dispatcher draining the outbox through `transports`."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        core: Core,
        quiet: QuietHours,
        transports: Mapping[str, Transport],
        clock: Clock = system_clock,
        in_flight: int = 1,
    ) -> None:
        self._sessions = sessions
        self._quiet = quiet
        self._clock = clock
        self._leader = LeaderLock(engine)
        self._stop = asyncio.Event()
        self._scheduler = AsyncIOScheduler(timezone=dt.UTC)
        worker = f"{socket.gethostname()}:{os.getpid()}"
        self.dispatcher = Dispatcher(
            sessions,
            core,
            transports,
            worker,
            clock,
            budgets=budgets_for(engine, transports),
            in_flight=in_flight,
        )
        self._dispatch_task: asyncio.Task[None] | None = None
        self._last_tick: dt.datetime | None = None

    async def _tick(self) -> None:
        if not await self._leader.try_acquire() or not await self._leader.still_leader():
            self._last_tick = None  # a new leader looks at the whole day once
            return
        now = self._clock()
        daily, retros = await tick(self._sessions, self._quiet, now, self._last_tick)
        self._last_tick = now
        if daily or retros:
            log.info("enqueued %d daily pushes and %d retrospectives", daily, retros)

    async def _maintenance(self) -> None:
        if await self._leader.still_leader():
            await maintenance.optimise_parameters(self._sessions)

    async def start(self) -> None:
        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(minutes=1),
            next_run_time=dt.datetime.now(dt.UTC),
            max_instances=1,
            coalesce=True,
            id="tick",
        )
        self._scheduler.add_job(
            self._maintenance,
            CronTrigger(hour=3, minute=30),
            max_instances=1,
            coalesce=True,
            id="maintenance",
        )
        self._scheduler.start()
        self._dispatch_task = asyncio.create_task(self.dispatcher.run_forever(self._stop))

    async def stop(self) -> None:
        self._stop.set()
        self._scheduler.shutdown(wait=False)
        if self._dispatch_task is not None:
            await self._dispatch_task
        await self._leader.release()
