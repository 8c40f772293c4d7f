"""A dispatcher process for the crash and rate tests: drains the outbox into the sink stand-in,
then exits (or is killed). With `--rate` the sink platform has that overall rate, shared with the
other processes through the database (`--local-budget`: each process keeps its own).
`--budget-only N` sends N bare messages through the budget, without the outbox, to measure the
budget alone. `--barrier` says "ready" on stdout and waits for a line on stdin before sending,
so that several processes start sending together."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys

from bot.app import build_app
from bot.core import Reply
from bot.core.markup import doc
from bot.core.transport import NO_LIMITS, PlatformLimits
from bot.scheduling.budget import Budget, LocalBudget, budgets_for
from bot.scheduling.dispatcher import Dispatcher
from bot.settings import Settings
from tests.support.sink import SinkTransport


async def drain(dispatcher: Dispatcher) -> None:
    idle = 0
    while idle < 20:
        report = await dispatcher.run_once()
        idle = 0 if report.handled else idle + 1
        if not report.handled:
            await asyncio.sleep(0.1)


async def send_bare(budget: Budget, transport: SinkTransport, count: int, in_flight: int) -> None:
    """`count` messages, `in_flight` at a time, as the dispatcher sends them."""
    reply = [Reply(body=doc("budget"))]
    numbers = iter(range(count))

    async def sender() -> None:
        for number in numbers:
            await budget.acquire()
            await transport.deliver(f"{os.getpid()}-{number}", False, reply)

    await asyncio.gather(*(sender() for _ in range(in_flight)))


async def main(args: argparse.Namespace) -> None:
    app = build_app(Settings(_env_file=None), args.db)  # type: ignore[call-arg]
    limits = PlatformLimits(args.rate, None, None) if args.rate else NO_LIMITS
    transport = SinkTransport(args.sink, limits)
    transports = {"sink": transport}
    budgets: dict[str, Budget] = (
        {"sink": LocalBudget(args.rate)}
        if args.rate and args.local_budget
        else budgets_for(app.engine, transports)
    )
    try:
        if args.barrier:
            # Connected and warmed up (the first compose loads the curriculum) before the start.
            async with app.engine.connect():
                pass
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        if args.budget_only:
            await send_bare(budgets["sink"], transport, args.budget_only, args.in_flight)
            return
        await drain(
            Dispatcher(
                app.sessions,
                app.core,
                transports,
                f"worker-{os.getpid()}",
                lambda: dt.datetime.now(dt.UTC),
                batch_size=args.batch,
                lease=dt.timedelta(seconds=args.lease),
                budgets=budgets,
                in_flight=args.in_flight,
            )
        )
    finally:
        await transport.close()
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--lease", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--rate", type=float, help="the sink's overall messages per second")
    parser.add_argument("--local-budget", action="store_true", help="do not share the rate")
    parser.add_argument("--in-flight", type=int, default=1)
    parser.add_argument("--budget-only", type=int, default=0, metavar="N")
    parser.add_argument("--barrier", action="store_true")
    asyncio.run(main(parser.parse_args()))
