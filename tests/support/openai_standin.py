"""A local stand-in for an OpenAI-compatible server (vLLM's HTTP API): chat completions, streamed
or not, embeddings and models, with failure modes. It speaks the real wire format, so the real
`openai` / `langchain-openai` clients talk to it unchanged.

    async with OpenAIStandIn(reply=lambda request: "hello") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

Reply = Callable[[dict[str, Any]], "str | Awaitable[str]"]
MODES = ("ok", "hang", "error", "hang_after_first_chunk")


def hashed_embedding(text: str, dimensions: int = 64) -> list[float]:
    """Deterministic unit vector per text, for tests that need embeddings without a model."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dimensions)
    return (vector / np.linalg.norm(vector)).round(6).tolist()


@dataclass
class OpenAIStandIn:
    reply: Reply = lambda request: "ok"
    model: str = "standin-model"
    mode: str = "ok"
    chunk_chars: int = 8  # streamed content is cut into chunks of this many characters
    chunk_delay: float = 0.0  # seconds between streamed chunks (a model that takes its time)
    embed: Callable[[str], list[float]] = hashed_embedding
    requests: list[dict[str, Any]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> OpenAIStandIn:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def chat_requests(self) -> list[dict[str, Any]]:
        return [request for request in self.requests if "messages" in request]

    async def _content(self, request: dict[str, Any]) -> str:
        result = self.reply(request)
        return await result if inspect.isawaitable(result) else result

    async def _chat(self, http: web.Request) -> web.StreamResponse:
        body = await http.json()
        self.requests.append(body)
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "error":
            return web.json_response(
                {"error": {"message": "the model crashed", "type": "internal_error", "code": 500}},
                status=500,
            )
        content = await self._content(body)
        created = int(time.time())
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "created": created,
                    "model": body.get("model", self.model),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(http)
        pieces = [
            content[i : i + self.chunk_chars] for i in range(0, len(content), self.chunk_chars)
        ]
        for number, piece in enumerate(pieces):
            chunk = {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.get("model", self.model),
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": piece},
                        "finish_reason": None,
                    }
                ],
            }
            await response.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            if number == 0 and self.mode == "hang_after_first_chunk":
                await asyncio.sleep(3600)
        final = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.get("model", self.model),
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        await response.write(f"data: {json.dumps(final)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _embeddings(self, http: web.Request) -> web.Response:
        body = await http.json()
        self.requests.append(body)
        if self.mode == "error":
            return web.json_response(
                {"error": {"message": "down", "type": "internal_error"}}, status=500
            )
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return web.json_response(
            {
                "object": "list",
                "model": body.get("model", self.model),
                "data": [
                    {"object": "embedding", "index": index, "embedding": self.embed(text)}
                    for index, text in enumerate(inputs)
                ],
                "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
            }
        )

    async def _models(self, http: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "data": [{"id": self.model, "object": "model", "owned_by": "tutorbot-tests"}],
            }
        )
