"""Leader election: only one process runs the ticks. On PostgreSQL a session-level advisory lock
held on a dedicated connection; when the leader dies its connection closes, the lock is freed
and a standby's next attempt takes over. SQLite deployments are single-process."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)
# Any 64-bit number unique to this application's advisory locks.
LOCK_KEY = 7_204_311_958_812_001


class LeaderLock:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self.is_leader = False

    async def try_acquire(self) -> bool:
        if self.is_leader:
            return True
        if self._engine.dialect.name != "postgresql":
            self.is_leader = True
            return True
        connection = await self._engine.connect()
        acquired = bool(
            await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        )
        await connection.commit()
        if acquired:
            self._connection, self.is_leader = connection, True
            log.info("this process is now the scheduling leader")
        else:
            await connection.close()
        return acquired

    async def still_leader(self) -> bool:
        """False when the lock's connection broke (the database restarted, say)."""
        if not self.is_leader or self._connection is None:
            return self.is_leader
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            log.warning("lost the scheduling leader lock")
            self.is_leader, self._connection = False, None
        return self.is_leader

    async def release(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.scalar(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}
                )
                await self._connection.commit()
            finally:
                await self._connection.close()
        self._connection, self.is_leader = None, False
