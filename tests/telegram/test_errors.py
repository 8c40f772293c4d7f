"""What the Bot API refuses: a 429 is waited out and retried, a 403 (the learner blocked the
bot) marks the learner inactive instead of retrying."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.app import App
from bot.core import Reply
from bot.core.markup import doc
from bot.core.transport import RecipientBlocked
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, TelegramChat, learner_row, onboard

# PTB itself reads RetryAfter.retry_after, which warns about its type changing in PTB 23.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def eventually(condition: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_429_is_waited_out_and_the_message_still_arrives(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    api.fail_next("sendMessage", 429)
    lesson = (await alice.say("/today"))[0]
    assert "Day 1" in lesson.text
    refused, retried = api.calls_to("sendMessage")[-2:]
    assert refused.params == retried.params
    assert retried.at - refused.at >= 1.0  # retry_after: 1


async def test_a_403_marks_the_learner_inactive_until_they_write_again(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    api.fail_next("sendMessage", 403)
    attempts = len(api.calls_to("sendMessage"))
    api.push(api.text_update(ALICE, "/today"))
    await api.wait_for_calls("sendMessage", attempts + 1)

    async def inactive() -> bool:
        row = await learner_row(app, ALICE)
        return row is not None and not row.active

    await eventually(inactive)
    # Not retried: exactly one attempt went out for that /today.
    assert len(api.calls_to("sendMessage")) == attempts + 1

    # Unblocked and writing again: reachable again.
    lesson = (await alice.say("/today"))[0]
    assert "Day 1" in lesson.text
    row = await learner_row(app, ALICE)
    assert row is not None and row.active


async def test_a_push_to_a_blocked_chat_raises_recipient_blocked(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    api.fail_next("sendMessage", 403)
    with pytest.raises(RecipientBlocked, match="blocked"):
        await telegram.deliver(str(ALICE.id), False, [Reply(body=doc("☀️ lesson"))])
    await telegram.deliver(str(ALICE.id), False, [Reply(body=doc("☀️ lesson"))])
    assert api.bot_messages(ALICE.id)[-1].text == "☀️ lesson"


async def test_recipient_blocked_without_a_learner_changes_nothing(app: App) -> None:
    from tests.telegram.conftest import Clock

    assert not await app.core.recipient_blocked("telegram", "404404", Clock()())
    with pytest.raises(ValueError):
        await app.core.recipient_blocked("telegram", "404404", Clock()().replace(tzinfo=None))
