"""Streamed answers: one message, edited at most once per interval, always ending on the full
text."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

from bot.adapters.streaming import throttled_edits
from bot.adapters.telegram import TelegramAdapter
from bot.core import Button, Reply
from bot.core.markup import Doc, doc
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, EDIT_INTERVAL


async def growing(words: list[str], pause: float = 0.0) -> AsyncIterator[Doc]:
    """Like an LLM answer: each item the whole text so far."""
    text = ""
    for word in words:
        await asyncio.sleep(pause)
        text = f"{text} {word}".strip()
        yield doc(text)


async def test_fast_items_are_coalesced_and_the_last_one_is_always_shown() -> None:
    shown: list[str] = []

    async def edit(body: Doc) -> None:
        shown.append(body.lines[0][0].text)  # type: ignore[union-attr]

    words = [f"w{number}" for number in range(50)]
    final = await throttled_edits(growing(words), edit, interval=0.05)
    assert final is not None and shown[-1] == " ".join(words)
    assert len(shown) <= 2  # fifty items arrived within one interval


async def test_edits_are_spaced_by_the_interval() -> None:
    times: list[float] = []
    loop = asyncio.get_running_loop()

    async def edit(body: Doc) -> None:
        times.append(loop.time())

    start = loop.time()
    await throttled_edits(growing([str(n) for n in range(30)], pause=0.01), edit, interval=0.08)
    assert times and times[0] - start >= 0.08 - 0.01
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert all(gap >= 0.08 - 0.01 for gap in gaps)
    assert 3 <= len(times) <= 6


async def test_a_held_back_item_is_shown_even_when_the_stream_stalls() -> None:
    shown: list[str] = []

    async def stalling() -> AsyncIterator[Doc]:
        yield doc("first")
        yield doc("first second")
        await asyncio.sleep(0.3)  # the model thinks; the pending text must not wait for it
        yield doc("first second third")

    async def edit(body: Doc) -> None:
        shown.append(body.lines[0][0].text)  # type: ignore[union-attr]

    task = asyncio.create_task(throttled_edits(stalling(), edit, interval=0.05))  # type: ignore[arg-type]
    await asyncio.sleep(0.2)
    assert shown == ["first second"]
    await task
    assert shown == ["first second", "first second third"]


async def test_a_failing_stream_keeps_what_arrived_and_an_empty_one_edits_nothing() -> None:
    shown: list[Doc] = []

    async def failing() -> AsyncIterator[Doc]:
        yield doc("partial")
        raise RuntimeError("the model went away")

    async def edit(body: Doc) -> None:
        shown.append(body)

    assert await throttled_edits(failing(), edit, interval=0.01) == doc("partial")
    assert shown == [doc("partial")]

    async def empty() -> AsyncIterator[Doc]:
        return
        yield doc("never")

    assert await throttled_edits(empty(), edit, interval=0.01) is None
    assert shown == [doc("partial")]


async def test_a_streamed_reply_is_sent_then_edited_over_http(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    words = [f"词{number}" for number in range(40)]
    reply = Reply(
        body=doc("…"),
        buttons=((Button("👍", "tok:0"),),),
        stream=growing(words, pause=EDIT_INTERVAL / 5),
    )
    started = dt.datetime.now()
    await telegram.deliver(str(ALICE.id), False, [reply])
    elapsed = (dt.datetime.now() - started).total_seconds()
    [message] = api.bot_messages(ALICE.id)
    assert message.text == " ".join(words)
    assert message.buttons() == [("👍", "tok:0")]
    edits = api.calls_to("editMessageText")
    assert 2 <= len(edits) <= elapsed / EDIT_INTERVAL + 1
    gaps = [later.at - earlier.at for earlier, later in zip(edits, edits[1:], strict=False)]
    assert all(gap >= EDIT_INTERVAL * 0.9 for gap in gaps)


async def test_a_streamed_answer_longer_than_a_message_continues_in_new_messages(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    lines = [f"paragraph {number} " + "字" * 90 for number in range(80)]

    async def paragraphs() -> AsyncIterator[Doc]:
        for count in range(1, len(lines) + 1, 20):
            yield doc(*lines[:count])
        yield doc(*lines)

    reply = Reply(body=doc("…"), stream=paragraphs())
    await telegram.deliver(str(ALICE.id), False, [reply])
    messages = api.bot_messages(ALICE.id)
    assert len(messages) >= 2
    assert "\n".join(message.text for message in messages).splitlines() == lines
