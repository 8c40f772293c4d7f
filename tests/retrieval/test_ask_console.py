"""/ask end to end through the console adapter, with and without the answer model, and when
the model fails: a streamed answer is printed once, complete."""

from __future__ import annotations

import io
from typing import Any

from bot.adapters.console import ConsoleChat, parse_now
from bot.app import App, build_app
from bot.settings import Settings
from retrieval import Retriever
from tests.retrieval.conftest import ask_engine
from tests.support.openai_standin import OpenAIStandIn

QUESTIONS = ["/ask 第47天的 LoRA 要实践什么？", "/ask Which day covers Docker Compose?"]
MOMENT = parse_now("2026-03-02T09:00:00+08:00")


def tutor(request: dict[str, Any]) -> str:
    if "Simplified Chinese" in request["messages"][0]["content"]:
        return "算法轨道第47天实践「实现LoRA」[1]。"
    return "Docker Compose is Day 13 of the shared base [1]."


async def transcript(app: App) -> str:
    out = io.StringIO()
    await ConsoleChat(app.core, "ada", lambda: MOMENT, out).run(QUESTIONS)
    return out.getvalue()


async def test_console_answers_from_passages_without_a_model(ask_app: App) -> None:
    text = await transcript(ask_app)
    chinese, english = text.split("学习资料中的相关内容：")[1:]
    assert "实践作业: 实现LoRA" in chinese and "\n出处\n[1] " in chinese
    assert "Docker Compose" in english and "\n出处\n[1] " in english


async def test_console_prints_the_models_cited_answers(
    database_url: str, settings: Settings, curriculum_retriever: Retriever
) -> None:
    async with OpenAIStandIn(reply=tutor) as server:
        settings.llm.base_url, settings.llm.model = server.base_url, "standin-model"
        app = build_app(settings, database_url, ask_engine(settings, curriculum_retriever))
        text = await transcript(app)
        await app.close()
    assert "算法轨道第47天实践「实现LoRA」[1]。\n\n出处\n[1] " in text
    assert "Docker Compose is Day 13 of the shared base [1].\n\n出处\n[1] " in text
    assert "🔎" not in text and "…" not in text.split("出处")[0]


async def test_console_falls_back_when_the_model_errors(
    database_url: str, settings: Settings, curriculum_retriever: Retriever
) -> None:
    async with OpenAIStandIn(mode="error") as server:
        settings.llm.base_url, settings.llm.model = server.base_url, "standin-model"
        app = build_app(settings, database_url, ask_engine(settings, curriculum_retriever))
        text = await transcript(app)
        await app.close()
    assert text.count("回答模型暂时不可用，以下是最相关的段落：") == 2
    assert "实践作业: 实现LoRA" in text
