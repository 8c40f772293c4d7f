"""/ask over Discord: the real answer pipeline with its model behind the local OpenAI-compatible
stand-in, streamed into one follow-up that is edited at most once a second."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordAdapter
from bot.app import App, build_app
from bot.settings import LLMSettings, Settings
from tests.discord.conftest import ALICE, Clock, DiscordChat, onboard
from tests.support.discord_standin import DiscordStandIn
from tests.support.openai_standin import OpenAIStandIn
from tests.telegram.test_ask import OneLessonRetriever

ANSWER = "不会。类型提示只是注解 *T*，运行时不强制检查，由 mypy 等工具静态检查 [1]。" * 2


@pytest.fixture
async def asking_app(database_url: str) -> AsyncIterator[App]:
    from bot.services.ask_engine import AskEngine

    async with OpenAIStandIn(reply=lambda request: ANSWER, chunk_chars=4, chunk_delay=0.1) as llm:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            llm=LLMSettings(base_url=llm.base_url, model=llm.model, api_key=SecretStr("test")),
        )
        engine = AskEngine(settings, retriever=OneLessonRetriever())  # type: ignore[arg-type]
        app = build_app(settings, database_url, ask_engine=engine)
        try:
            yield app
        finally:
            await app.close()


async def test_a_streamed_answer_is_one_follow_up_edited_at_most_once_a_second(
    asking_app: App, api: DiscordStandIn, clock: Clock
) -> None:
    # The adapter's own pace: at most 5 edits in any 5 seconds.
    adapter = DiscordAdapter(asking_app.core, api.token, clock=clock, guild_ready_timeout=0.1)
    await adapter.start()
    try:
        alice = DiscordChat(api, ALICE)
        await onboard(alice)
        before = {message.id for message in alice.messages}
        interaction = await api.slash(ALICE, "ask", {"question": "类型提示会在运行时检查吗？"})
        await api.wait_until(
            lambda: any(m.buttons() for m in alice.messages if m.id not in before), within=30
        )
        [answer] = [message for message in alice.messages if message.id not in before]
        assert interaction.callback_type == 5  # deferred before the model was asked
        assert "类型提示只是注解 \\*T\\*" in answer.content  # the model's text is escaped
        assert "Sources" in answer.content
        assert answer.edits >= 2
        gaps = [b - a for a, b in zip(answer.edited_at, answer.edited_at[1:], strict=False)]
        assert all(gap >= 0.9 for gap in gaps[:-1]), gaps  # the last one adds the buttons
        assert [label for label, _ in answer.buttons()] == ["👍", "👎"]

        [thanks] = await alice.press("👍", message=answer)
        assert thanks.text == "Thanks for the feedback!" and thanks.ephemeral_for == ALICE.id
        assert answer.buttons()  # a notice leaves the buttons alone
    finally:
        await adapter.stop()
