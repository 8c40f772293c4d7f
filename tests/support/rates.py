"""Several dispatcher processes sending into the sink stand-in at one platform rate, and what
the platform saw: the rate over the whole run and the busiest second."""

from __future__ import annotations

import asyncio
import bisect
import sys
from dataclasses import dataclass

from tests.support.sink import SinkStandIn


@dataclass(frozen=True)
class Observed:
    messages: int
    seconds: float  # from the first message to the last
    # The slope of messages received against time (least squares): the sustained rate, which a
    # late first or last message (a process starting up, a busy machine) does not skew.
    per_second: float
    busiest_second: int  # most messages inside any window of one second

    def share_of(self, cap: float) -> float:
        return self.per_second / cap


def observe(arrivals: list[float]) -> Observed:
    times = sorted(arrivals)
    count = len(times)
    mean_time, mean_index = sum(times) / count, (count - 1) / 2
    slope = sum((t - mean_time) * (i - mean_index) for i, t in enumerate(times)) / sum(
        (t - mean_time) ** 2 for t in times
    )
    busiest = max(
        bisect.bisect_left(times, start + 1.0) - index for index, start in enumerate(times)
    )
    return Observed(count, times[-1] - times[0], slope, busiest)


async def run_dispatchers(
    database_url: str,
    sink: SinkStandIn,
    processes: int,
    rate: float,
    *,
    shared: bool = True,
    in_flight: int = 8,
    budget_only: int = 0,
) -> Observed:
    """Start `processes` dispatcher processes and wait until they are done: draining the outbox,
    or with `budget_only`, sending that many bare messages each through the rate budget."""
    command = [
        sys.executable,
        "-m",
        "tests.scheduling.dispatch_worker",
        "--db",
        database_url,
        "--sink",
        sink.url,
        "--rate",
        str(rate),
        "--batch",
        "20",
        # Claimed rows wait for their slots: a lease this long never runs out in the run.
        "--lease",
        "120",
        "--in-flight",
        str(in_flight),
        "--budget-only",
        str(budget_only),
    ]
    if not shared:
        command.append("--local-budget")
    workers = [
        await asyncio.create_subprocess_exec(
            *command, "--barrier", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(processes)
    ]
    for worker in workers:  # all of them ready, then all of them go
        assert worker.stdout is not None
        assert await asyncio.wait_for(worker.stdout.readline(), timeout=120) == b"ready\n"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
    codes = await asyncio.wait_for(asyncio.gather(*(w.wait() for w in workers)), timeout=240)
    assert codes == [0] * processes, codes
    return observe(sink.arrivals)
