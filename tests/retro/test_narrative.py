"""The LLM's short narrative, through the OpenAI-compatible stand-in: included when the model
answers, left out (and the retrospective still sent) when it fails or hangs."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from pydantic import SecretStr

from bot.app import App
from bot.core import render_plain
from bot.settings import LLMSettings
from tests.retro.support import learner_id
from tests.support.chat import Chat, enrol
from tests.support.openai_standin import OpenAIStandIn

MONDAY = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
SUNDAY_EVENING = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
NOTE = "A steady start: two lessons done. Next week, finish each lesson on its day."


def use_llm(app: App, server: OpenAIStandIn, timeout: float = 5.0) -> None:
    # The core reads the settings object it was built with.
    app.settings.llm = LLMSettings(
        base_url=server.base_url,
        model=server.model,
        api_key=SecretStr("test-key"),
        timeout_seconds=timeout,
    )


async def a_week(app: App, language: str = "English") -> Chat:
    chat = Chat(app.core, now=MONDAY)
    await enrol(
        chat, language=language, track_label="Application" if language == "English" else "应用"
    )
    await chat.say("/today")
    await chat.press("Done" if language == "English" else "完成")
    chat.now = SUNDAY_EVENING
    return chat


async def test_the_narrative_is_added_when_the_model_answers(app: App) -> None:
    async with OpenAIStandIn(reply=lambda request: NOTE) as server:
        use_llm(app, server)
        chat = await a_week(app)
        text = await chat.say("/retro")
    assert f"💬 Coach's note\n{NOTE}" in text
    assert text.index("🔄 Plan adjustment") < text.index("💬 Coach's note")
    (request,) = server.chat_requests()
    assert request["model"] == "standin-model"
    system, user = request["messages"]
    assert system["role"] == "system" and "in English" in system["content"]
    assert "Lessons done: 1 of 7 planned this week." in user["content"]
    assert "Reviews: 0 on 0 of 7 days." in user["content"]
    assert "Next week's lessons: PyTorch基础" in user["content"]


async def test_a_chinese_learner_gets_the_chinese_instructions(app: App) -> None:
    async with OpenAIStandIn(reply=lambda request: "本周开局不错。") as server:
        use_llm(app, server)
        chat = await a_week(app, language="中文")
        text = await chat.say("/retro")
    assert "💬 教练寄语\n本周开局不错。" in text
    assert "用中文" in server.chat_requests()[0]["messages"][0]["content"]


@pytest.mark.parametrize("mode", ["error", "hang"])
async def test_without_the_model_the_retro_still_goes_out(app: App, mode: str) -> None:
    async with OpenAIStandIn(reply=lambda request: NOTE, mode=mode) as server:
        use_llm(app, server, timeout=0.5)
        await a_week(app)
        started = time.monotonic()
        replies = await app.core.compose("learner", await learner_id(app), "retro", SUNDAY_EVENING)
        elapsed = time.monotonic() - started
    assert replies is not None and len(replies) == 2
    text = render_plain(replies[0].body)
    assert "🔄 Plan adjustment" in text and "Coach's note" not in text and NOTE not in text
    assert replies[1].image is not None and replies[1].image.is_file()
    assert len(server.chat_requests()) == 1  # asked once, no retries
    assert elapsed < 5


async def test_an_overlong_narrative_is_cut(app: App) -> None:
    async with OpenAIStandIn(reply=lambda request: "好" * 2000) as server:
        use_llm(app, server)
        chat = await a_week(app)
        text = await chat.say("/retro")
    note = text.split("💬 Coach's note\n")[1].split("\n")[0]
    assert len(note) == app.settings.retro.narrative_max_chars and note.endswith("…")
