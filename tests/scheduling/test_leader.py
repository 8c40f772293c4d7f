"""One scheduling leader on PostgreSQL; a standby takes over when the leader's process dies."""

from __future__ import annotations

import asyncio
import sys

from bot.db.engine import create_engine
from bot.scheduling.leader import LeaderLock

HOLD_LOCK = """
import asyncio, sys
from bot.db.engine import create_engine
from bot.scheduling.leader import LeaderLock

async def main():
    lock = LeaderLock(create_engine(sys.argv[1]))
    print("leader" if await lock.try_acquire() else "standby", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_standby_takes_over_when_the_leader_process_dies(
    postgres_database_url: str,
) -> None:
    leader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_LOCK, postgres_database_url, stdout=asyncio.subprocess.PIPE
    )
    engine = create_engine(postgres_database_url)
    try:
        assert leader.stdout is not None
        assert (await leader.stdout.readline()).decode().strip() == "leader"
        standby = LeaderLock(engine)
        assert await standby.try_acquire() is False
        leader.kill()  # no clean shutdown: the server frees the lock when the connection drops
        await leader.wait()
        for _ in range(50):
            if await standby.try_acquire():
                break
            await asyncio.sleep(0.1)
        assert standby.is_leader and await standby.still_leader()
        await standby.release()
    finally:
        if leader.returncode is None:
            leader.kill()
            await leader.wait()
        await engine.dispose()


async def test_sqlite_is_always_its_own_leader(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    lock = LeaderLock(engine)
    assert await lock.try_acquire() and await lock.still_leader()
    await lock.release()
    await engine.dispose()
