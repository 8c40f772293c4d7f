"""Scheduled pushes through Discord: the daily lesson by DM (after a 429 that discord.py waits
out), a learner whose DMs are closed marked inactive and told once in the server, and a long
429 handed back to the dispatcher to retry later."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import App
from bot.core import RecipientBlocked, Reply, RetryLater
from bot.core.markup import doc
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.periods import QuietHours
from bot.scheduling.service import tick
from tests.discord.conftest import ALICE, Clock, DiscordChat, learner_row, onboard
from tests.support.discord_standin import DiscordStandIn

NO_QUIET = QuietHours(dt.time(0), dt.time(0))
SEND = "POST /channels/{channel_id}/messages"


async def push_due(app: App, adapter: DiscordAdapter, clock: Clock) -> object:
    await tick(app.sessions, NO_QUIET, clock())
    return await Dispatcher(app.sessions, app.core, {"discord": adapter}, "w1", clock).run_once()


async def test_the_daily_lesson_comes_by_dm_after_a_429_is_waited_out(
    app: App, api: DiscordStandIn, clock: Clock, discord_bot: DiscordAdapter
) -> None:
    alice = DiscordChat(api, ALICE)
    await onboard(alice)
    clock.now += dt.timedelta(days=1)
    api.fail(SEND, 429, retry_after=0.3)
    report = await push_due(app, discord_bot, clock)
    assert report.sent == 1, report  # type: ignore[attr-defined]
    first, *rest = [call.status for call in api.calls_to(SEND)]
    assert first == 429 and rest and set(rest) == {200}
    assert api.calls_to("POST /users/@me/channels")  # the DM channel was opened first
    assert any(m.embeds and "Day 2" in m.text for m in alice.messages[-len(rest) :])


async def test_closed_dms_mark_the_learner_inactive_and_they_are_told_once_in_the_server(
    app: App, api: DiscordStandIn, clock: Clock, discord_bot: DiscordAdapter
) -> None:
    guild = api.add_guild("Study hall", ALICE)
    await api.dispatch("GUILD_CREATE", guild.as_json())
    channel = guild.channels[0]
    await onboard(DiscordChat(api, ALICE, channel))  # onboarding in the server, ephemeral
    api.dms_closed.add(ALICE.id)
    clock.now += dt.timedelta(days=1)
    report = await push_due(app, discord_bot, clock)
    assert report.dead == 1, report  # type: ignore[attr-defined]
    row = await learner_row(app, ALICE)
    assert row is not None and not row.active
    [notice] = [m for m in api.channel_messages(channel.id) if m.ephemeral_for is None]
    assert notice.content.startswith(f"<@{ALICE.id}> I cannot send you direct messages")
    assert api.calls_to(SEND)[-1].json["allowed_mentions"]["users"] == [ALICE.id]
    # Inactive: the next day brings no push; a direct delivery is refused without a second notice.
    clock.now += dt.timedelta(days=1)
    assert (await push_due(app, discord_bot, clock)).handled == 0  # type: ignore[attr-defined]
    with pytest.raises(RecipientBlocked):
        await discord_bot.deliver(str(ALICE.id), False, [Reply(body=doc("hello"))])
    assert len([m for m in api.channel_messages(channel.id) if m.ephemeral_for is None]) == 1


async def test_dm_refusals_and_long_429s_reach_the_dispatcher_as_the_contract_says(
    api: DiscordStandIn, discord_bot: DiscordAdapter
) -> None:
    push = [Reply(body=doc("hello"))]
    api.fail(SEND, 403, code=50278, message="Cannot send messages to this user (no mutual guild)")
    with pytest.raises(RecipientBlocked, match="50278"):
        await discord_bot.deliver(str(ALICE.id), False, push)
    api.fail(SEND, 429, retry_after=120)  # longer than discord.py waits: the dispatcher retries
    with pytest.raises(RetryLater) as later:
        await discord_bot.deliver(str(ALICE.id), False, push)
    assert later.value.seconds == 120
    await discord_bot.deliver(str(ALICE.id), False, push)
    assert [m.content for m in api.channel_messages(api.dm_channel(ALICE).id)] == ["hello"]
