"""A dispatcher process for the crash test: drains the outbox into the sink stand-in, then exits
(or is killed)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os

from bot.app import build_app
from bot.scheduling.dispatcher import Dispatcher
from bot.settings import Settings
from tests.support.sink import SinkTransport


async def main(url: str, sink: str, lease_seconds: float, batch: int) -> None:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    transport = SinkTransport(sink)
    dispatcher = Dispatcher(
        app.sessions,
        app.core,
        {"sink": transport},
        f"worker-{os.getpid()}",
        lambda: dt.datetime.now(dt.UTC),
        batch_size=batch,
        lease=dt.timedelta(seconds=lease_seconds),
    )
    idle = 0
    try:
        while idle < 20:
            report = await dispatcher.run_once()
            idle = 0 if report.handled else idle + 1
            if not report.handled:
                await asyncio.sleep(0.1)
    finally:
        await transport.close()
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--lease", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.sink, args.lease, args.batch))
