"""The dispatcher: claims outbox rows, builds each push through the core, sends it through the
recipient's platform at that platform's rate, and records the outcome.

Delivery guarantee: every row is sent at least once. Each row is marked sent in its own commit
right after the platform accepted it, so a dispatcher killed mid-batch can repeat at most the
messages that were in flight (`in_flight`, one by default); rows it had claimed but not sent go
back to the queue when their lease runs out. Several messages in flight let one process fill a
platform's rate although each send waits for the platform's answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import Core
from bot.core.transport import NO_LIMITS, RecipientBlocked, RetryLater, Transport
from bot.db.models import Learner
from bot.db.schedule_models import DEAD, Group
from bot.ops import metrics
from bot.scheduling import outbox
from bot.scheduling.budget import Budget
from bot.scheduling.limits import RateLimiter

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.dead + self.skipped


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    recipient_type: str
    recipient_id: int
    platform: str
    chat_id: str
    kind: str
    attempts: int


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        core: Core,
        transports: Mapping[str, Transport],
        worker: str,
        clock: Clock,
        batch_size: int = 20,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        enforce_limits: bool = True,
        only_chat: str | None = None,
        budgets: Mapping[str, Budget] | None = None,
        in_flight: int = 1,
    ) -> None:
        self._in_flight = max(1, in_flight)
        self._only_chat = only_chat
        self._sessions = sessions
        self._core = core
        self._transports = dict(transports)
        self._worker = worker
        self._clock = clock
        self._batch_size = batch_size
        self._lease = lease
        # `budgets`: the overall rate per platform shared with other processes (see budget.py).
        budgets = budgets if enforce_limits and budgets is not None else {}
        for platform, budget in budgets.items():
            metrics.DISPATCH_BUDGET.labels(platform).set(budget.per_second)
        self._limiters = {
            platform: RateLimiter(
                transport.limits if enforce_limits else NO_LIMITS, budgets.get(platform)
            )
            for platform, transport in self._transports.items()
        }

    async def run_once(self) -> DispatchReport:
        report = DispatchReport()
        now = self._clock()
        async with self._sessions() as session, session.begin():
            await outbox.recover_abandoned(session, now, self._lease)
        async with self._sessions() as session, session.begin():
            rows = await outbox.claim(
                session,
                self._worker,
                now,
                self._batch_size,
                list(self._transports),
                chat_id=self._only_chat,
            )
            claimed = [
                _Claimed(
                    row.id,
                    row.recipient_type,
                    row.recipient_id,
                    row.platform,
                    row.chat_id,
                    row.kind,
                    row.attempts,
                )
                for row in rows
            ]
        if self._in_flight == 1:
            for item in claimed:
                await self._deliver(item, report)
            return report
        slots = asyncio.Semaphore(self._in_flight)

        async def deliver(item: _Claimed) -> None:
            async with slots:
                await self._deliver(item, report)

        async with asyncio.TaskGroup() as group:
            for item in claimed:
                group.create_task(deliver(item))
        return report

    async def run_forever(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                report = await self.run_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("dispatcher pass failed")
                report = DispatchReport()
            if report.handled == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle_seconds)
                except TimeoutError:
                    pass

    async def _deliver(self, item: _Claimed, report: DispatchReport) -> None:
        replies = await self._core.compose(
            item.recipient_type, item.recipient_id, item.kind, self._clock()
        )
        if not replies:
            async with self._sessions() as session, session.begin():
                await outbox.mark_dead(
                    session, item.id, "skipped: the recipient left, paused or was deactivated"
                )
            report.skipped += 1
            metrics.push_outcome(item.platform, "skipped")
            return
        transport = self._transports[item.platform]
        is_group = item.recipient_type == outbox.GROUP
        await self._limiters[item.platform].acquire(item.chat_id, is_group)
        try:
            await transport.deliver(item.chat_id, is_group, replies)
        except RecipientBlocked as error:
            async with self._sessions() as session, session.begin():
                await outbox.mark_dead(session, item.id, f"blocked: {error}")
                await deactivate(session, item.recipient_type, item.recipient_id)
            report.dead += 1
            metrics.push_outcome(item.platform, "dead")
            return
        except RetryLater as error:
            await self._failed(item, f"retry after {error.seconds}s", report, error.seconds)
            return
        except Exception as error:  # network errors and 5xx: back off and retry
            await self._failed(item, f"{type(error).__name__}: {error}", report, None)
            return
        async with self._sessions() as session, session.begin():
            await outbox.mark_sent(session, item.id, self._clock())
        report.sent += 1
        metrics.push_outcome(item.platform, "sent")

    async def _failed(
        self, item: _Claimed, error: str, report: DispatchReport, retry_after: float | None
    ) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get(outbox.Delivery, item.id)
            assert row is not None
            state = await outbox.mark_failed(session, row, error, self._clock(), retry_after)
        report.errors.append(error)
        if state == DEAD:
            report.dead += 1
        else:
            report.retried += 1
        metrics.push_outcome(item.platform, "dead" if state == DEAD else "failed")


async def deactivate(session: AsyncSession, recipient_type: str, recipient_id: int) -> None:
    """The platform says the recipient blocked us: stop scheduling them instead of retrying."""
    model = Group if recipient_type == outbox.GROUP else Learner
    await session.execute(update(model).where(model.id == recipient_id).values(active=False))
