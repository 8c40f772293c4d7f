"""Typed answers to recall and cloze cards, graded by meaning, through the bot: the console
conversation with the bundled embedding grader, the LLM grader against the OpenAI-compatible
stand-in (and its fall back to embeddings on junk, errors and stalls), bad input, and cards that
belong to someone else. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.adapters.console import ConsoleChat, fixed_clock
from bot.app import App, build_app
from bot.db.models import CardRow, ReviewLogRow
from bot.settings import Settings
from quizzes.srs import Rating
from tests.core.test_bad_input import snapshot
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat, enrol
from tests.support.openai_standin import OpenAIStandIn

START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
ONBOARDING = ["/start", "!press 2", "!press 1", "!press 1", "!press 1", "!press 2"]
RECALL = next(question for question in TEST_BANK if question.kind == "recall")
CLOZE = next(question for question in TEST_BANK if question.kind == "cloze")


async def reviews_of(app: App, question_id: str) -> list[ReviewLogRow]:
    async with app.sessions() as session:
        card = await session.scalar(select(CardRow).where(CardRow.question_id == question_id))
        if card is None:
            return []
        return list(
            await session.scalars(select(ReviewLogRow).where(ReviewLogRow.card_id == card.id))
        )


async def test_console_recall_and_cloze_typed_answers_are_graded_by_meaning(app: App) -> None:
    await load_test_bank(app)
    out = io.StringIO()
    chat = ConsoleChat(app.core, "lin", fixed_clock("2026-03-02T01:00:00+00:00"), out)
    await chat.run(ONBOARDING)
    await chat.run(["/quiz", "!press 1"])  # day 1's choice card, right: its recall sibling waits
    start = len(out.getvalue())
    await chat.run(["!now 2026-03-02T01:01:00+00:00", "/quiz"])
    assert RECALL.stem in out.getvalue()[start:]
    assert "Type your answer to have it graded" in out.getvalue()[start:]

    start = len(out.getvalue())
    await chat.run(["不会，类型提示只是注解，靠 mypy 这类静态检查工具来检查"])
    transcript = out.getvalue()[start:]
    assert "✅ Correct!" in transcript
    assert "Your answer means what the answer says." in transcript
    assert f"Answer: {RECALL.answer}" in transcript  # a recall key is always shown in full
    assert "Round complete" in transcript
    (review,) = await reviews_of(app, RECALL.id)
    assert review.rating == Rating.Good and review.correct is True

    # Day 3: the cloze card is new; an answer that is not on the accepted list is graded too.
    # Day 1's choice card is due first, then day 2's true/false, then the cloze card.
    await chat.run(["!now 2026-03-04T01:00:00+00:00", "/quiz", "!press 1", "!press 1"])
    assert out.getvalue().rstrip().endswith("[2] ⏹ Stop") and "3/3" in out.getvalue()[-300:]
    assert "Type the missing word" in out.getvalue()[-300:]
    start = len(out.getvalue())
    await chat.run(["try"])
    transcript = out.getvalue()[start:]
    assert "❌ Not quite." in transcript
    assert "Your answer says something other than the answer." in transcript
    assert "Answer: with" in transcript and "Explain" in transcript
    (review,) = await reviews_of(app, CLOZE.id)
    assert review.rating == Rating.Again and review.correct is False


async def at_recall_card(app: App, language: str = "English") -> Chat:
    """A learner looking at day 1's recall card (its choice sibling answered a minute ago)."""
    await load_test_bank(app)
    chat = Chat(app.core, now=START)
    await enrol(
        chat, language=language, track_label="应用" if language == "中文" else "Application"
    )
    await chat.say("/quiz")
    await chat.press("A")
    chat.advance(minutes=1)
    await chat.say("/quiz")
    assert RECALL.stem in chat.text
    return chat


@pytest.fixture
async def learner(app: App) -> Chat:
    return await at_recall_card(app)


async def test_bad_typed_answers_to_a_recall_card_change_nothing(app: App, learner: Chat) -> None:
    before = await snapshot(app)
    for text in ("？？…", "x" * 1001):
        assert "does not look like an answer" in await learner.say(text)
        assert await snapshot(app) == before
    assert "✅ Correct!" in await learner.say("不会。类型提示只是注解，由 mypy 等静态工具检查。")


async def test_another_user_cannot_answer_someone_elses_card(app: App, learner: Chat) -> None:
    bob = Chat(app.core, user="bob", now=learner.now)
    await enrol(bob)
    before = await snapshot(app)
    text = await bob.say("不会。类型提示只是注解，由 mypy 等静态工具检查。")
    assert "Correct" not in text and "Not quite" not in text
    assert "belong to someone else" in await bob.press_data(learner.button("Show answer"))
    assert await snapshot(app) == before
    # In a group chat typed text is people talking: nobody's card is answered.
    member = Chat(app.core, user="alice", now=learner.now, group="g1")
    assert await member.say("不会。类型提示只是注解。") == ""
    assert await snapshot(app) == before
    # The owner still can, once; a repeat is not graded again.
    assert "✅ Correct!" in await learner.say("不会。类型提示只是注解，由 mypy 等静态工具检查。")
    assert "✅" not in await learner.say("不会。类型提示只是注解，由 mypy 等静态工具检查。")
    assert len(await reviews_of(app, RECALL.id)) == 1


async def test_a_chinese_learner_gets_the_verdict_in_chinese(app: App) -> None:
    chat = await at_recall_card(app, language="中文")
    assert "输入你的答案由我评分" in chat.text
    text = await chat.say("会，解释器每次调用函数时都会检查参数类型")
    assert "❌ 不太对。" in text
    assert "你的回答与标准答案说的不是一回事。" in text
    (review,) = await reviews_of(app, RECALL.id)
    assert review.rating == Rating.Again


async def test_a_typed_answer_in_practice_leaves_the_schedule_alone(
    app: App, learner: Chat
) -> None:
    await learner.say("不会。类型提示只是注解，由 mypy 等静态工具检查。")
    before = await snapshot(app)
    await learner.say("/quiz 1")
    if RECALL.stem not in learner.text:
        await learner.press("A")
    assert RECALL.stem in learner.text and "practice" in learner.text
    text = await learner.say("不会，类型提示只是注解，靠 mypy 这类静态检查工具来检查")
    assert "✅ Correct!" in text and "Next review" not in text
    after = await snapshot(app)
    assert after["cards"] == before["cards"] and after["review_logs"] == before["review_logs"]


def _grade_reply(verdict: str, reason: str) -> str:
    return json.dumps({"verdict": verdict, "reason": reason}, ensure_ascii=False)


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    reply = _grade_reply(
        "partially", "You said no, but not that a static checker such as mypy checks them."
    )
    async with OpenAIStandIn(reply=lambda request: reply) as server:
        yield server


def with_model(settings: Settings, server: OpenAIStandIn, timeout: float = 5.0) -> Settings:
    settings.llm.base_url = server.base_url
    settings.llm.model = "standin-model"
    settings.quiz.grading_timeout_seconds = timeout
    return settings


async def _llm_learner(database_url: str, settings: Settings) -> tuple[App, Chat]:
    app = build_app(settings, database_url)
    return app, await at_recall_card(app)


async def test_the_llm_grades_against_key_and_explanation(
    database_url: str, settings: Settings, standin: OpenAIStandIn
) -> None:
    app, chat = await _llm_learner(database_url, with_model(settings, standin))
    try:
        text = await chat.say("No, they are not checked")
        assert "🟡 Partly right." in text
        assert "not that a static checker such as mypy checks them" in text
        assert f"Answer: {RECALL.answer}" in text
        assert any("Explain" in label for label, _ in chat.last_buttons)
        (review,) = await reviews_of(app, RECALL.id)
        assert review.rating == Rating.Hard and review.correct is False
        (request,) = standin.chat_requests()
        assert request["model"] == "standin-model"
        assert request["response_format"]["json_schema"]["strict"] is True
        prompt = request["messages"][1]["content"]
        assert RECALL.answer in prompt and RECALL.explanation in prompt
        assert "<answer>No, they are not checked</answer>" in prompt
        assert "English" in request["messages"][0]["content"]  # the learner's language
    finally:
        await app.close()


async def test_the_llm_is_not_asked_what_the_accepted_list_settles(
    database_url: str, settings: Settings, standin: OpenAIStandIn
) -> None:
    app, chat = await _llm_learner(database_url, with_model(settings, standin))
    try:
        assert "✅ Correct!" in await chat.say(RECALL.answer)
        assert standin.chat_requests() == []
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("mode", "reply"),
    [
        ("ok", "Looks right to me!"),  # not the schema's JSON
        ("ok", _grade_reply("right", "x")),  # a verdict outside the enum
        ("error", ""),
        ("hang", ""),
    ],
)
async def test_junk_errors_and_stalls_fall_back_to_the_embedding_grader(
    database_url: str, settings: Settings, mode: str, reply: str
) -> None:
    async with OpenAIStandIn(reply=lambda request: reply, mode=mode) as server:
        app, chat = await _llm_learner(database_url, with_model(settings, server, timeout=0.5))
        try:
            started = dt.datetime.now(dt.UTC)
            text = await chat.say("不会，类型提示只是注解，靠 mypy 这类静态检查工具来检查")
            assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 10
            assert len(server.chat_requests()) == 1
            assert "✅ Correct!" in text
            assert "Your answer means what the answer says." in text  # the embedding grader's words
            (review,) = await reviews_of(app, RECALL.id)
            assert review.rating == Rating.Good
        finally:
            await app.close()
