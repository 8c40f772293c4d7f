"""One unit of work per message, but no transaction open across slow work: the /ask search runs
with every database connection back in the pool; and the answer model has one client per
process (one connection pool), shared by /ask and the grading of typed answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from bot.app import App, build_app
from bot.settings import Settings
from retrieval import Retriever
from tests.retrieval.conftest import ask_engine
from tests.retrieval.test_ask_core import standin, with_model  # noqa: F401 - fixture
from tests.support.chat import Chat, enrol
from tests.support.openai_standin import OpenAIStandIn


@pytest.fixture
async def counted_app(
    database_url: str,
    settings: Settings,
    curriculum_retriever: Retriever,
    standin: OpenAIStandIn,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[App, list[object]]]:
    made: list[object] = []
    original = openai.AsyncOpenAI.__init__

    def counting(self: openai.AsyncOpenAI, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(openai.AsyncOpenAI, "__init__", counting)
    with_model(settings, standin)
    built = build_app(settings, database_url, ask_engine=ask_engine(settings, curriculum_retriever))
    yield built, made
    await built.close()


async def test_the_search_runs_with_no_connection_held_and_one_model_client_serves_all(
    counted_app: tuple[App, list[object]],
) -> None:
    app, made = counted_app
    engine = app.ask_engine
    held: list[int] = []
    search = engine.search

    async def watched(*args: Any, **kwargs: Any) -> Any:
        held.append(app.engine.pool.checkedout())
        return await search(*args, **kwargs)

    engine.search = watched  # type: ignore[method-assign]
    chat = Chat(app.core, locale_hint="en")
    await enrol(chat)
    assert "Day 47" in await chat.say("/ask Which day covers LoRA?")
    assert "Sources" in await chat.say("/ask Docker Compose")
    assert held == [0, 0]
    # The grader of typed answers talks to the same model through the same client (a copy
    # with its own deadline over the same connection pool).
    assert app.grader.llm is not None
    assert len({id(client._client) for client in made}) == 1  # type: ignore[attr-defined]
