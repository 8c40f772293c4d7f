"""The stand-in answers the real `openai` client, streamed and not, and fails on demand."""

from __future__ import annotations

import openai
import pytest

from tests.support.openai_standin import OpenAIStandIn


async def test_chat_completion_plain_and_streamed() -> None:
    async with OpenAIStandIn(reply=lambda request: "你好, world") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        response = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
        assert response.choices[0].message.content == "你好, world"
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        pieces = [
            chunk.choices[0].delta.content
            async for chunk in stream
            if chunk.choices[0].delta.content
        ]
        assert "".join(pieces) == "你好, world" and len(pieces) > 1
        embedded = await client.embeddings.create(model="e", input=["a", "b"])
        assert len(embedded.data) == 2 and len(embedded.data[0].embedding) == 64
        assert len(server.chat_requests()) == 2


async def test_error_mode_raises_a_server_error() -> None:
    async with OpenAIStandIn(mode="error") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )


async def test_hang_mode_times_out() -> None:
    async with OpenAIStandIn(mode="hang") as server:
        client = openai.AsyncOpenAI(
            base_url=server.base_url, api_key="test", max_retries=0, timeout=0.5
        )
        with pytest.raises(openai.APITimeoutError):
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
