"""The real discord.py client, driven by the adapter, against the local Discord stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import App
from bot.db.models import Learner
from bot.settings import RetroSettings, Settings
from tests.support.adapters import Clock, newest_offering, onboard_in_english
from tests.support.adapters import learner_row as support_learner_row
from tests.support.discord_standin import Channel, DiscordStandIn, DiscordUser, Message

ALICE = DiscordUser(501, "Alice")
BOB = DiscordUser(502, "Bob")
CAROL = DiscordUser(503, "Carol")
EDIT_INTERVAL = 0.05


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Charts (retrospectives) go under the test's temporary directory."""
    settings.retro = RetroSettings(chart_dir=tmp_path / "charts")
    return settings


@pytest.fixture
async def api() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as server:
        with server.pointed_at():
            yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


def adapter_for(app: App, api: DiscordStandIn, clock: Clock) -> DiscordAdapter:
    return DiscordAdapter(
        app.core, api.token, clock=clock, edit_interval=EDIT_INTERVAL, guild_ready_timeout=0.1
    )


@pytest.fixture
async def discord_bot(app: App, api: DiscordStandIn, clock: Clock) -> AsyncIterator[DiscordAdapter]:
    """The adapter, connected to the stand-in's gateway."""
    adapter = adapter_for(app, api, clock)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


class DiscordChat:
    """One user in one channel (their DM with the bot by default), driven through the stand-in:
    slash commands and presses go out as INTERACTION_CREATE; what the bot answers comes back as
    the messages this user sees there."""

    def __init__(self, api: DiscordStandIn, user: DiscordUser, channel: Channel | None = None):
        self.api = api
        self.user = user
        self.channel = channel or api.dm_channel(user)

    @property
    def messages(self) -> list[Message]:
        return [
            message
            for message in self.api.channel_messages(self.channel.id, self.user)
            if not message.loading
        ]

    async def _settled(self, before: set[int], expect: int) -> list[Message]:
        await self.api.wait_until(
            lambda: len([m for m in self.messages if m.id not in before]) >= expect
        )
        return [message for message in self.messages if message.id not in before]

    async def run(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        subcommand: str | None = None,
        expect: int = 1,
    ) -> list[Message]:
        """Run a slash command; wait until it was answered with `expect` new messages."""
        before = {message.id for message in self.api.channel_messages(self.channel.id)}
        interaction = await self.api.slash(
            self.user, name, options, subcommand=subcommand, channel=self.channel
        )
        await self.api.wait_answered(interaction)
        return await self._settled(before, expect)

    def with_button(self, label: str) -> Message:
        return newest_offering(self.messages, label)

    async def press(
        self, label: str, expect: int = 1, message: Message | None = None
    ) -> list[Message]:
        message = message or self.with_button(label)
        before = {item.id for item in self.api.channel_messages(self.channel.id)}
        interaction = await self.api.press(self.user, message, label)
        await self.api.wait_answered(interaction)
        return await self._settled(before, expect)


async def learner_row(app: App, user: DiscordUser) -> Learner | None:
    return await support_learner_row(app, "discord", user.id)


async def onboard(chat: DiscordChat) -> None:
    """/start in English: the 100-day plan, application track, Shanghai, 08:00."""
    await onboard_in_english(lambda: chat.run("start", expect=2), chat.press)
