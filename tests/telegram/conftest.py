"""The real PTB Application against the local Bot API stand-in, polling over real HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram import TelegramAdapter, Webhook, build_application
from bot.app import App
from bot.db.models import Learner
from tests.support.adapters import Clock, newest_offering, onboard_in_english
from tests.support.adapters import learner_row as support_learner_row
from tests.support.telegram_standin import ChatMessage, TelegramStandIn, User

ALICE = User(1001, "Alice", "en")
BOB = User(1002, "Bob", "en")
EDIT_INTERVAL = 0.05


@pytest.fixture
async def api() -> AsyncIterator[TelegramStandIn]:
    async with TelegramStandIn() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


def adapter_for(
    app: App, api: TelegramStandIn, clock: Clock, webhook: Webhook | None = None
) -> TelegramAdapter:
    application = build_application(
        api.token, base_url=api.base_url, base_file_url=api.base_file_url
    )
    return TelegramAdapter(
        app.core,
        application,
        clock=clock,
        edit_interval=EDIT_INTERVAL,
        webhook=webhook,
        poll_timeout=dt.timedelta(seconds=2),
    )


@pytest.fixture
async def telegram(app: App, api: TelegramStandIn, clock: Clock) -> AsyncIterator[TelegramAdapter]:
    """The adapter, started in polling mode."""
    adapter = adapter_for(app, api, clock)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


class TelegramChat:
    """One user's private chat with the bot, driven through the stand-in: what they type and
    press goes out as updates over getUpdates; what the bot sends comes back as messages."""

    def __init__(self, api: TelegramStandIn, user: User, chat_id: int | None = None) -> None:
        self.api = api
        self.user = user
        self.chat_id = chat_id or user.id

    @property
    def messages(self) -> list[ChatMessage]:
        return self.api.bot_messages(self.chat_id)

    async def say(self, text: str, expect: int = 1) -> list[ChatMessage]:
        """Send `text`; wait for `expect` new bot messages and return them."""
        before = len(self.messages)
        self.api.push(self.api.text_update(self.user, text))
        await self.api.wait_for_messages(self.chat_id, before + expect)
        return self.messages[before:]

    def with_button(self, label: str) -> ChatMessage:
        return newest_offering(self.messages, label)

    async def press(
        self, label: str, expect: int = 1, message: ChatMessage | None = None
    ) -> list[ChatMessage]:
        """Press the button; wait until the press is answered and `expect` new messages came."""
        message = message or self.with_button(label)
        data = next(data for text, data in message.buttons() if label in text)
        before = len(self.messages)
        update = self.api.push(self.api.press_update(self.user, message, data))
        query_id = update["callback_query"]["id"]
        await self.api.wait_until(lambda: query_id in self.api.answered_queries)
        await self.api.wait_for_messages(self.chat_id, before + expect)
        return self.messages[before:]

    def toast(self, query_index: int = -1) -> str | None:
        answers = list(self.api.answered_queries.values())
        return answers[query_index].get("text")


async def learner_row(app: App, user: User) -> Learner | None:
    return await support_learner_row(app, "telegram", user.id)


async def onboard(chat: TelegramChat) -> None:
    """/start in English: the 100-day plan, application track, Shanghai, 08:00."""
    await onboard_in_english(lambda: chat.say("/start", expect=2), chat.press)
