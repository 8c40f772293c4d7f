"""Webhook mode: PTB's webhook server on a local port; Telegram's secret-token header is
required on every update."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapters.telegram import TelegramAdapter, Webhook
from bot.app import App
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, Clock, adapter_for

SECRET = "s3cret-Token_42"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def webhook_bot(
    app: App, api: TelegramStandIn, clock: Clock
) -> AsyncIterator[tuple[TelegramAdapter, str]]:
    webhook = Webhook(
        url="https://bot.example.test/telegram/updates",
        secret=SECRET,
        listen="127.0.0.1",
        port=free_port(),
    )
    adapter = adapter_for(app, api, clock, webhook)
    await adapter.start()
    try:
        yield adapter, f"http://127.0.0.1:{webhook.port}/{webhook.path}"
    finally:
        await adapter.stop()


async def test_updates_need_the_secret_token(
    api: TelegramStandIn, webhook_bot: tuple[TelegramAdapter, str]
) -> None:
    _, local_url = webhook_bot
    assert api.webhook["url"] == "https://bot.example.test/telegram/updates"
    assert api.webhook["secret_token"] == SECRET
    assert not api.calls_to("getUpdates")

    async with aiohttp.ClientSession() as http:

        async def post(update_id: int, text: str, headers: dict[str, str]) -> int:
            update = {"update_id": update_id, **api.text_update(ALICE, text)}
            async with http.post(local_url, json=update, headers=headers) as response:
                return response.status

        assert await post(1, "/help", {}) == 403
        assert await post(2, "/help", {HEADER: "wrong"}) == 403
        assert await post(3, "/today", {HEADER: SECRET}) == 200
        replies = await api.wait_for_messages(ALICE.id, 1)
    assert "Send /start to begin" in replies[0].text
    # Only the authentic update was handled.
    assert len(api.bot_messages(ALICE.id)) == 1
