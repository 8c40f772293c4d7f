"""Webhook mode: the bot's webhook server on a local port; Telegram's secret-token header is
required on every update, bodies are capped and a body that is not an update is a plain 400."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.adapters.telegram import TelegramAdapter, Webhook
from bot.adapters.telegram.webhook import MAX_BODY_BYTES
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


async def raw_post(url: str, head: dict[str, str], body: bytes = b"") -> int:
    """The status of a POST written by hand, so the declared length may differ from the body."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in head.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    finally:
        writer.close()
    return int(status_line.split()[1])


async def test_bodies_that_are_not_updates_are_refused_plainly(
    api: TelegramStandIn,
    webhook_bot: tuple[TelegramAdapter, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, local_url = webhook_bot
    headers = {HEADER: SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:

        async def post(body: bytes) -> int:
            async with http.post(local_url, data=body, headers=headers) as response:
                return response.status

        for body in (b"", b'{"update_id": 1,', b"\xff\xfe{}", b"[1, 2]", b'"text"', b"{}"):
            assert await post(body) == 400, body
        update = {"update_id": 9, **api.text_update(ALICE, "/help")}
        assert await post(json.dumps(update).encode()) == 200
        await api.wait_for_messages(ALICE.id, 1)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not [record for record in caplog.records if record.exc_info]


async def test_large_bodies_are_refused_before_they_are_read(
    webhook_bot: tuple[TelegramAdapter, str],
) -> None:
    _, local_url = webhook_bot
    huge = {"Content-Type": "application/json", "Content-Length": str(90 * 1024 * 1024)}
    assert await raw_post(local_url, {HEADER: SECRET, **huge}) == 413
    assert await raw_post(local_url, huge) == 403  # nobody without the secret learns the limit
    over = b'{"update_id": 1, "padding": "' + b"x" * MAX_BODY_BYTES + b'"}'
    length = {"Content-Type": "application/json", "Content-Length": str(len(over))}
    assert await raw_post(local_url, {HEADER: SECRET, **length}, over) == 413
