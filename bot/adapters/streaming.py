"""Throttled message edits for answers that arrive piece by piece.

Chat platforms take roughly one edit per second per chat before they answer 429, so a stream of
growing texts is shown by editing one message at most once per `interval`: the newest text at
each opportunity (intermediate ones are skipped, never queued), and always the final text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Monotonic = Callable[[], float]
EDIT_INTERVAL_SECONDS = 1.0


async def throttled_edits(
    stream: AsyncIterable[Item],
    edit: Callable[[Item], Awaitable[None]],
    *,
    interval: float = EDIT_INTERVAL_SECONDS,
    clock: Monotonic = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Item | None:
    """Call `edit` with items of `stream`, at most once per `interval` seconds (the first one
    waits a full interval too: the message was just sent), and once more with the last item if
    it was not shown yet. Returns the last item (None for an empty stream).

    An item that arrives early is held back, and shown when its time comes even if the stream
    is slow to produce the next one. A failing stream ends the edits; its last item is shown.
    """
    iterator = aiter(stream)
    last_edit = clock()
    latest: Item | None = None
    pending = False
    upcoming: asyncio.Future[Item] = asyncio.ensure_future(anext(iterator))
    try:
        while True:
            wait = None if not pending else max(0.0, last_edit + interval - clock())
            done, _ = await asyncio.wait({upcoming}, timeout=wait)
            if upcoming in done:
                try:
                    latest = upcoming.result()
                except StopAsyncIteration:
                    break
                except Exception:
                    log.exception("a streamed reply failed; showing what arrived")
                    break
                pending = True
                upcoming = asyncio.ensure_future(anext(iterator))
                if clock() - last_edit < interval:
                    continue
            if pending and latest is not None:
                await edit(latest)
                pending, last_edit = False, clock()
    finally:
        if not upcoming.done():
            upcoming.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, Exception):
                await upcoming
    if pending and latest is not None:
        await sleep(max(0.0, last_edit + interval - clock()))
        await edit(latest)
    return latest
