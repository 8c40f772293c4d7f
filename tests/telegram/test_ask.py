"""/ask over Telegram, streamed: the real answer pipeline with its model behind the local
OpenAI-compatible stand-in, the answer sent as one message and edited in place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.adapters.telegram import TelegramAdapter
from bot.app import App, build_app
from bot.core.conversation import COMMANDS
from bot.settings import AskSettings, LLMSettings, Settings
from tests.support.openai_standin import OpenAIStandIn
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, Clock, TelegramChat, adapter_for, onboard

pytestmark = pytest.mark.skipif("ask" not in COMMANDS, reason="the core has no /ask")

ANSWER = "不会。类型提示只是注解 <T>，运行时不强制检查，由 mypy 等工具静态检查 [1]。"


class OneLessonRetriever:
    """Stands in for the Qdrant index: every search finds Day 1's lesson."""

    ready = True  # an index with its chunks: nothing to build

    def search(self, question: str, k: int, scope: object = None) -> list[object]:
        from retrieval.model import Chunk, Hit

        chunk = Chunk(
            doc="plan:ai-fullstack-100",
            key="common/1",
            text="类型提示（type hints）只是注解，Python 解释器在运行时不检查它们。",
            source="curriculum",
            kind="lesson",
            title="Python类型系统与类型提示",
            plan="ai-fullstack-100",
            day=1,
            lesson_key="ai-fullstack-100/common/1",
            url="https://docs.python.org/3/library/typing.html",
        )
        return [Hit(chunk, 0.9)]

    def search_for_answer(
        self, question: str, k: int, scope: object = None, context: str | None = None
    ) -> list[object]:
        return self.search(question, k, scope)

    def close(self) -> None:
        pass


@pytest.fixture
async def asking_app(database_url: str) -> AsyncIterator[App]:
    from bot.services.ask_engine import AskEngine

    async with OpenAIStandIn(reply=lambda request: ANSWER, chunk_chars=4) as llm:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            llm=LLMSettings(base_url=llm.base_url, model=llm.model, api_key=SecretStr("test")),
            ask=AskSettings(stream_interval_seconds=0.0),
        )
        engine = AskEngine(settings, retriever=OneLessonRetriever())  # type: ignore[arg-type]
        app = build_app(settings, database_url, ask_engine=engine)
        try:
            yield app
        finally:
            await app.close()


@pytest.fixture
async def asking_bot(
    asking_app: App, api: TelegramStandIn, clock: Clock
) -> AsyncIterator[TelegramAdapter]:
    adapter = adapter_for(asking_app, api, clock)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


async def test_a_streamed_answer_is_one_message_edited_in_place(
    api: TelegramStandIn, asking_bot: TelegramAdapter
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    before = len(alice.messages)
    api.push(api.text_update(ALICE, "/ask 类型提示会在运行时检查吗？"))
    await api.wait_until(
        lambda: len(alice.messages) > before and bool(alice.messages[-1].buttons())
    )
    [answer] = alice.messages[before:]
    first = next(
        call for call in reversed(api.calls_to("sendMessage")) if call.params["chat_id"] == ALICE.id
    )
    assert "Looking it up" in first.params["text"]
    assert answer.edits >= 1
    assert "类型提示只是注解 <T>" in answer.text and "Sources" in answer.text
    assert "注解 &lt;T&gt;" in answer.html  # the model's text is escaped like any other
    assert [label for label, _ in answer.buttons()] == ["👍", "👎"]

    await alice.press("👍", expect=0, message=answer)
    assert alice.toast() == "Thanks for the feedback!"
    assert answer.buttons()  # a refusal-style notice leaves the keyboard alone
