"""A stand-in chat platform over HTTP for dispatcher tests: POST /send {chat_id, text} records a
message. It can answer 429 with retry_after, 403 (blocked) or 500, and can be slow, like a
real platform's API."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from aiohttp import web

from bot.core import Reply, render_plain
from bot.core.transport import NO_LIMITS, PlatformLimits, RecipientBlocked, RetryLater


@dataclass
class SinkStandIn:
    delay: float = 0.0
    blocked: set[str] = field(default_factory=set)
    rate_limited_once: set[str] = field(default_factory=set)
    failing_once: set[str] = field(default_factory=set)
    received: list[tuple[str, str]] = field(default_factory=list)
    # When each accepted message arrived (time.monotonic), for rate measurements.
    arrivals: list[float] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def per_chat(self) -> Counter[str]:
        return Counter(chat for chat, _ in self.received)

    async def __aenter__(self) -> SinkStandIn:
        app = web.Application()
        app.router.add_post("/send", self._send)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _send(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        body = await request.json()
        chat = str(body["chat_id"])
        if self.delay:
            await asyncio.sleep(self.delay)
        if chat in self.blocked:
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
                status=403,
            )
        if chat in self.rate_limited_once:
            self.rate_limited_once.discard(chat)
            return web.json_response(
                {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}}, status=429
            )
        if chat in self.failing_once:
            self.failing_once.discard(chat)
            return web.json_response({"ok": False, "error_code": 500}, status=500)
        self.received.append((chat, body["text"]))
        self.arrivals.append(arrived)
        return web.json_response({"ok": True})


class SinkTransport:
    """The dispatcher's side of the stand-in: one HTTP request per message."""

    platform = "sink"

    def __init__(self, url: str, limits: PlatformLimits = NO_LIMITS) -> None:
        self.limits = limits
        self._client = httpx.AsyncClient(base_url=url, timeout=10)

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        text = "\n\n".join(render_plain(reply.body) for reply in replies)
        response = await self._client.post("/send", json={"chat_id": chat_id, "text": text})
        if response.status_code == 403:
            raise RecipientBlocked(response.json()["description"])
        if response.status_code == 429:
            raise RetryLater(float(response.json()["parameters"]["retry_after"]))
        response.raise_for_status()

    async def close(self) -> None:
        await self._client.aclose()
