"""/ask through the core, as a chat: both languages, both modes, the limits, follow-ups,
feedback, and what is stored, exported and forgotten."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from sqlalchemy import select

from bot.app import App, build_app
from bot.core import render_plain
from bot.core.ask import explain
from bot.core.context import Context
from bot.core.messages import Incoming
from bot.db.models import AskTurn
from bot.services import learners
from bot.services.ask_engine import AskEngine
from bot.settings import Settings
from quizzes import Question
from retrieval import IndexConfig, Retriever
from retrieval.index import HybridIndex
from retrieval.model import Chunk
from tests.retrieval.conftest import ask_engine
from tests.support.chat import Chat, enrol
from tests.support.openai_standin import OpenAIStandIn


async def turns_of(app: App) -> list[AskTurn]:
    async with app.sessions() as session:
        return list(await session.scalars(select(AskTurn).order_by(AskTurn.id)))


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    answer = "LoRA is practised on Day 47 of the algo track (实现LoRA) [1]."
    async with OpenAIStandIn(reply=lambda request: answer, chunk_chars=5) as server:
        yield server


def with_model(settings: Settings, server: OpenAIStandIn, timeout: float = 5.0) -> Settings:
    settings.llm.base_url = server.base_url
    settings.llm.model = "standin-model"
    settings.llm.timeout_seconds = timeout
    settings.ask.stream_interval_seconds = 0
    return settings


@pytest.fixture
async def llm_app(
    database_url: str, settings: Settings, curriculum_retriever: Retriever, standin: OpenAIStandIn
) -> AsyncIterator[App]:
    with_model(settings, standin)
    built = build_app(settings, database_url, ask_engine=ask_engine(settings, curriculum_retriever))
    yield built
    await built.close()


async def test_ask_in_chinese_without_a_model_quotes_and_cites(ask_app: App) -> None:
    chat = Chat(ask_app.core)
    text = await chat.say("/ask LangChain Memory 对话记忆的作业是什么？")
    assert text.startswith("学习资料中的相关内容：")
    assert "实践作业: 实现对话记忆" in text
    assert "\n\n出处\n[1] " in text
    # Nobody enrolled: the answer comes without feedback buttons, and is stored all the same.
    assert not chat.replies[0].buttons
    (turn,) = await turns_of(ask_app)
    assert (turn.mode, turn.language, turn.learner_id) == ("extractive", "zh", None)
    assert turn.passages and turn.answer in text


async def test_ask_in_english_follows_the_learners_language(ask_app: App) -> None:
    chat = Chat(ask_app.core)
    await enrol(chat, track_label="Algorithm")
    text = await chat.say("/ask Which day covers mixed precision training with AMP?")
    assert text.startswith("Here is what the study material says:")
    assert "[1] Day 38 · 混合精度训练(AMP)" in text
    assert (
        "Sources\n[1] AI Full-Stack Engineer · 100 days · LLM Algorithm Engineer · Day 38" in text
    )
    assert [label for label, _ in chat.last_buttons] == ["👍", "👎"]


async def test_streamed_answers_are_cited_and_stored(llm_app: App, standin: OpenAIStandIn) -> None:
    chat = Chat(llm_app.core)
    await enrol(chat, track_label="Algorithm")
    replies = await llm_app.core.handle(
        Incoming("console", chat.user, chat.user, text="/ask Which day covers LoRA?"), chat.now
    )
    (reply,) = replies
    assert reply.stream is not None and reply.buttons
    texts = [render_plain(body) async for body in reply.stream]
    assert len(texts) > 3 and texts[0].splitlines()[0] == "LoRA …"
    assert texts[-1].startswith("LoRA is practised on Day 47 of the algo track (实现LoRA) [1].")
    assert "\n\nSources\n[1] " in texts[-1]
    (turn,) = await turns_of(llm_app)
    assert turn.mode == "llm" and turn.answer.startswith("LoRA is practised on Day 47")
    # The learner's plan and track are preferred, and the model saw them as passage [1].
    assert "algo track · Day 47" in standin.chat_requests()[0]["messages"][1]["content"]


async def test_a_hanging_model_falls_back_to_passages(
    database_url: str, settings: Settings, curriculum_retriever: Retriever
) -> None:
    async with OpenAIStandIn(mode="hang") as server:
        with_model(settings, server, timeout=0.5)
        app = build_app(settings, database_url, ask_engine(settings, curriculum_retriever))
        chat = Chat(app.core, locale_hint="en")
        text = await chat.say("/ask Which day covers LoRA?")
        await app.close()
    assert text.startswith("The answer model did not respond in time")
    assert "[1]" in text and "Sources" in text
    (turn,) = await turns_of(app)
    assert turn.mode == "extractive"


async def test_empty_and_overlong_questions_get_a_clear_answer(ask_app: App) -> None:
    chat = Chat(ask_app.core, locale_hint="en")
    assert "Write your question after the command" in await chat.say("/ask")
    assert "/ask Which day covers Docker Compose?" in chat.text
    long_question = "为什么" * 700
    text = await chat.say(f"/ask {long_question}")
    assert text == (
        "That question is 2100 characters long. Please keep it under 2000 characters and ask again."
    )
    assert await turns_of(ask_app) == []


async def test_the_hourly_limit_is_per_user_and_friendly(
    database_url: str, settings: Settings, curriculum_retriever: Retriever
) -> None:
    settings.ask.rate_limit_per_hour = 2
    app = build_app(settings, database_url, ask_engine(settings, curriculum_retriever))
    chat = Chat(app.core, locale_hint="en")
    await chat.say("/ask Docker Compose")
    chat.advance(minutes=10)
    await chat.say("/ask Kubernetes Helm")
    chat.advance(minutes=5)
    refused = await chat.say("/ask Nginx 负载均衡")
    assert refused.startswith("You have asked 2 questions in the last hour, which is the limit.")
    assert "Please ask again in 45 min." in refused
    other = Chat(app.core, user="bob", locale_hint="en")
    assert "Sources" in await other.say("/ask Nginx 负载均衡")
    chat.advance(minutes=46)
    assert "Sources" in await chat.say("/ask Nginx 负载均衡")
    assert len(await turns_of(app)) == 4
    await app.close()


async def test_a_reply_within_minutes_is_a_follow_up(llm_app: App, standin: OpenAIStandIn) -> None:
    chat = Chat(llm_app.core)
    await enrol(chat, track_label="Algorithm")
    await chat.say("/ask Which day covers LoRA?")
    chat.advance(minutes=3)
    await chat.say("And what should I practise?")
    assert chat.text.startswith("LoRA is practised")
    messages = standin.chat_requests()[-1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "Which day covers LoRA?"
    assert messages[2]["content"].startswith("LoRA is practised on Day 47")
    assert messages[3]["content"].endswith("Question: And what should I practise?")
    # The follow-up was searched together with the question before it: its passages are
    # about LoRA, which "And what should I practise?" alone would not find.
    passages = messages[3]["content"].split("Question:")[0]
    assert "LoRA" in passages
    chat.advance(minutes=30)
    assert "I work with commands" in await chat.say("And QLoRA?")
    assert len(standin.chat_requests()) == 2


async def test_feedback_is_stored_once_and_only_from_the_asker(ask_app: App) -> None:
    chat = Chat(ask_app.core, user="ada")
    await enrol(chat)
    await chat.say("/ask WebSocket 实时聊天")
    thumbs_up = chat.button("👍")
    assert await chat.press("👍") == "Thanks for the feedback!"
    assert await chat.press_data(thumbs_up) == "That button was already pressed."
    await chat.say("/ask Redis 语义缓存")
    mallory = Chat(ask_app.core, user="mallory")
    await enrol(mallory)
    assert await mallory.press_data(chat.button("👎")) == "These buttons belong to someone else."
    await chat.press("👎")
    first, second = await turns_of(ask_app)
    assert (first.feedback, second.feedback) == (1, -1)
    assert second.feedback_at == chat.now and second.question == "Redis 语义缓存"
    assert second.answer and second.passages


async def test_turns_are_exported_adopted_and_forgotten(ask_app: App) -> None:
    chat = Chat(ask_app.core, locale_hint="en")
    await chat.say("/ask Docker Compose")  # before /start: no learner yet
    await enrol(chat)
    await chat.say("/ask Helm Charts")
    await chat.say("/export")
    exported = json.loads(chat.replies[0].document.content)  # type: ignore[union-attr]
    assert [turn["question"] for turn in exported["ask_turns"]] == ["Docker Compose", "Helm Charts"]
    assert exported["ask_turns"][0]["passages"][0]["label"]
    await chat.say("/forget")
    await chat.press("Yes, delete everything")
    assert await turns_of(ask_app) == []


async def test_explain_says_why_the_key_is_right_from_the_lesson(ask_app: App) -> None:
    chat = Chat(ask_app.core, locale_hint="en")
    await enrol(chat, track_label="Algorithm")
    question = Question.from_record(
        {
            "id": "explain-lora",
            "plan": "ai-fullstack-100",
            "track": "algo",
            "day": 47,
            "topic": "LoRA",
            "kind": "recall",
            "stem": "LoRA 为什么能大幅减少微调时需要训练的参数？",
            "answer": "冻结原权重，只训练两个低秩矩阵 A 和 B。",
            "explanation": "低秩分解让可训练参数从 d×d 降到 2×d×r。",
            "sources": [{"lesson": "ai-fullstack-100/algo/47"}],
        }
    )
    # A unit of work as the core runs one: handlers may commit before slow work.
    async with ask_app.sessions() as session:
        learner = await learners.find_learner(session, "console", chat.user)
        ctx = Context(
            session,
            Incoming("console", chat.user, chat.user),
            chat.now,
            ask_app.settings,
            learner,
            ask_engine=ask_app.ask_engine,
        )
        await explain(ctx, question)
        await session.commit()
    (reply,) = ctx.replies
    text = render_plain(reply.body)
    answer, sources = text.split("\n\nSources\n")
    # [1] is the question itself: its key and why, never its stem alone.
    assert "[1] 冻结原权重，只训练两个低秩矩阵 A 和 B。 — 低秩分解" in answer
    assert "LoRA 为什么能" not in answer
    # Then the lesson's own sentences, cited.
    assert "[2] Day 47 · PEFT方法: LoRA" in answer
    assert sources.startswith("[1] AI Full-Stack Engineer · 100 days · LLM Algorithm Engineer")
    (turn,) = await turns_of(ask_app)
    assert turn.question == "Explain: LoRA" and turn.language == "en"
    assert {p["plan"] for p in turn.passages} <= {"ai-fullstack-100", None}


async def test_a_learners_plan_comes_first(ask_app: App) -> None:
    """ "Which day covers Docker Compose?" is Day 13 of the 100-day plan for its learners, and
    Day 54 of the 180-day plan for theirs; naming the other plan still reaches it."""
    fullstack = Chat(ask_app.core, user="ada", locale_hint="en")
    await enrol(fullstack)
    text = await fullstack.say("/ask Which day covers Docker Compose?")
    answer, sources = text.split("\n\nSources\n")
    assert answer.startswith("Here is what the study material says:\n[1] Day 13 · Docker Compose")
    assert "180" not in sources and "Day 13" in sources.splitlines()[0]
    llmapp = Chat(ask_app.core, user="bob", locale_hint="en")
    await enrol(llmapp, plan_label="180", track_label=None)
    assert "[1] Day 54 · " in await llmapp.say("/ask Which day covers Docker Compose?")
    other = await fullstack.say("/ask Which day of the 180-day plan covers Docker Compose?")
    assert other.split("Sources\n")[1].startswith(
        "[1] LLM Application Developer · 180 days · Day 54"
    )


async def test_answers_quote_the_question_banks_explanations(ask_app: App) -> None:
    chat = Chat(ask_app.core, locale_hint="en")
    text = await chat.say("/ask 用 RRF 融合之前要先把分数归一化吗？")
    answer, sources = text.split("\n\nSources\n")
    # The explanation of the Day 27 question on RRF (ai-fullstack-100/app.yaml).
    quoted = "只依赖名次，所以量纲不同的 BM25 分数和余弦相似度不必归一化"
    assert quoted in answer
    number = answer.split(quoted)[0].rsplit("[", 1)[1].split("]")[0]
    cited = next(line for line in sources.splitlines() if line.startswith(f"[{number}] "))
    assert "第 27 天" in cited or "Day 27" in cited


async def test_an_ask_while_the_index_is_built_is_told_so_at_once(
    database_url: str, settings: Settings, embeddings: Embeddings, tmp_path: Path
) -> None:
    release = threading.Event()

    def banks() -> dict[str, list[Chunk]]:
        release.wait(timeout=60)  # the build stays in progress until the test lets it go
        return {}

    index = HybridIndex.open(IndexConfig(path=tmp_path / "index"), embeddings)
    engine = AskEngine(settings, retriever=Retriever(index, documents=banks))
    app = build_app(settings, database_url, ask_engine=engine)
    chat = Chat(app.core, locale_hint="en")
    started = time.monotonic()
    first = await chat.say("/ask Which day covers Docker Compose?")
    assert first.startswith("I am still building the search index of the study plans")
    assert time.monotonic() - started < 30
    assert (await chat.say("/ask Docker Compose")).startswith("I am still building")
    building = engine._building
    assert building is not None
    release.set()
    await asyncio.to_thread(building.join, 120)
    assert "Day 13 · Docker Compose" in await chat.say("/ask Which day covers Docker Compose?")
    await app.close()
