"""A platform's overall sending rate, shared by every dispatcher process.

Telegram allows 30 messages a second per bot, not per process. On PostgreSQL each send first
reserves the next free slot of its platform in `send_slots`: one UPDATE hands the slots out in
order, 1/rate apart, and says how long to wait for the one it gave, so any number of processes
together never send faster than the rate (a slot is never lent twice, and an idle stretch is
not saved up as a burst). SQLite deployments run one process: an in-process limiter does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.transport import Transport


class Budget(Protocol):
    per_second: float

    async def acquire(self) -> None:
        """Wait until one more message may be sent."""


class LocalBudget:
    """This process alone: the same slots, kept in memory."""

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self._spacing = 1.0 / per_second
        self._next_at = 0.0

    async def acquire(self) -> None:
        now = time.monotonic()
        slot = max(self._next_at, now)
        self._next_at = slot + self._spacing
        if slot > now:
            await asyncio.sleep(slot - now)


# The reserved slot is the stored `next_at` (or now, if that has passed); the row moves on by
# one spacing. The database's clock decides for every process, so their clocks need not agree.
_RESERVE = text(
    """
    INSERT INTO send_slots (platform, next_at)
    VALUES (:platform, clock_timestamp() + make_interval(secs => :spacing))
    ON CONFLICT (platform) DO UPDATE
    SET next_at = GREATEST(send_slots.next_at, clock_timestamp())
        + make_interval(secs => :spacing)
    RETURNING EXTRACT(EPOCH FROM send_slots.next_at - clock_timestamp()) - :spacing
    """
)


class SharedBudget:
    """Every process on this PostgreSQL database together: one slot per 1/rate seconds."""

    def __init__(self, engine: AsyncEngine, platform: str, per_second: float) -> None:
        self.per_second = per_second
        self._engine = engine
        self._platform = platform
        self._spacing = 1.0 / per_second

    async def acquire(self) -> None:
        async with self._engine.begin() as connection:
            wait = await connection.scalar(
                _RESERVE, {"platform": self._platform, "spacing": self._spacing}
            )
        if wait is not None and wait > 0:
            await asyncio.sleep(float(wait))


def budgets_for(engine: AsyncEngine, transports: Mapping[str, Transport]) -> dict[str, Budget]:
    """The overall budget of every platform that has one: shared through PostgreSQL, where
    several processes may dispatch, local on SQLite."""
    shared = engine.dialect.name == "postgresql"
    budgets: dict[str, Budget] = {}
    for platform, transport in transports.items():
        rate = transport.limits.per_second
        if rate:
            budgets[platform] = (
                SharedBudget(engine, platform, rate) if shared else LocalBudget(rate)
            )
    return budgets
