"""A study group in a Discord server channel, end to end through the stand-in: created by a
member with Manage Server, joined by two members, the daily lesson pushed into the channel, a
group quiz everyone answers once (each answer reviews the member's own card), the leaderboard;
members without the permission cannot change the group's settings, and answers after the
admin's answer window are refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.adapters.discord import DiscordAdapter
from bot.app import App
from bot.db.models import CardRow
from bot.db.schedule_models import Group, GroupMember
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.periods import QuietHours
from bot.scheduling.service import tick
from tests.discord.conftest import ALICE, BOB, CAROL, Clock, DiscordChat
from tests.support.bank import letter_of, load_test_bank
from tests.support.discord_standin import DiscordStandIn

NO_QUIET = QuietHours(dt.time(0), dt.time(0))


async def test_a_study_group_in_a_server_channel(
    app: App, api: DiscordStandIn, clock: Clock, discord_bot: DiscordAdapter
) -> None:
    await load_test_bank(app)
    guild = api.add_guild("Study hall", ALICE, channels=("study",))
    await api.dispatch("GUILD_CREATE", guild.as_json())
    channel = guild.channels[0]
    admin, bob, carol = (DiscordChat(api, user, channel) for user in (ALICE, BOB, CAROL))

    refused = await bob.run("group", subcommand="create")
    assert "Only the group's admins" in refused[0].text
    settings = (await admin.run("group", subcommand="create"))[0]
    assert "Study group settings" in settings.text and settings.ephemeral_for is None
    # A member without Manage Server presses the admin's menu: refused to him alone.
    [refusal] = await bob.press("Plan", message=settings)
    assert (
        refusal.text == "These buttons belong to someone else." and refusal.ephemeral_for == BOB.id
    )
    await admin.press("Plan", message=settings)
    await admin.press("100 days")
    await admin.press("Application")
    assert (
        "Only the group's admins"
        in (await bob.run("group", {"change": "time 21:00"}, subcommand="settings"))[0].text
    )
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None and (group.platform, group.chat_id) == ("discord", str(channel.id))
    assert (group.plan, group.track, group.title) == (
        "ai-fullstack-100",
        "app",
        "Study hall #study",
    )

    saved = (await admin.run("group", {"change": "window 15"}, subcommand="settings"))[0]
    assert "Saved." in saved.text and "Quiz answer window: 15 min" in saved.text
    assert (
        "from 1 to 2880"
        in (await admin.run("group", {"change": "window 0"}, subcommand="settings"))[0].text
    )

    for member in (bob, carol):
        welcome = await member.run("group", subcommand="join")
        assert "Welcome to the study group" in welcome[0].text

    # The scheduler's tick and dispatcher push the day's lesson into the channel.
    await tick(app.sessions, NO_QUIET, clock())
    dispatcher = Dispatcher(app.sessions, app.core, {"discord": discord_bot}, "w1", clock)
    report = await dispatcher.run_once()
    assert report.sent == 1, report
    pushed = api.channel_messages(channel.id)[-1]
    assert "Day 1" in pushed.text and pushed.ephemeral_for is None

    post = (await admin.run("group", subcommand="quiz"))[0]
    assert "Group quiz · Day 1" in post.text and post.ephemeral_for is None
    right = letter_of(post.text, "typing")
    wrong = next(label for label, _ in post.buttons() if label != right)
    [verdict] = await bob.press(right, message=post)
    assert "Correct! +1 point" in verdict.text and verdict.ephemeral_for == BOB.id
    [again] = await bob.press(wrong, message=post)
    assert "already answered" in again.text
    [miss] = await carol.press(wrong, message=post)
    assert "Not quite" in miss.text and miss.ephemeral_for == CAROL.id
    assert post.buttons()  # still open for the others
    clock.now += dt.timedelta(minutes=16)  # past the 15-minute answer window
    [closed] = await admin.press(wrong, message=post)
    assert closed.text == "The answer window for this question has closed."
    async with app.sessions() as session:
        points = {row.learner_id: row.points for row in await session.scalars(select(GroupMember))}
        reps = {row.learner_id: row.reps for row in await session.scalars(select(CardRow))}
    assert sorted(points.values()) == [0, 1] and reps == dict.fromkeys(points, 1)

    board = (await carol.run("leaderboard"))[0]
    assert board.embeds[0]["title"] == "Leaderboard · this week" and board.ephemeral_for is None
    week, all_time = board.embeds[0]["description"].split("**Leaderboard · all time**")
    assert week.strip().startswith("🥇 Bob: 1 reviews · 0 lessons · 1 quiz points")
    assert all_time.strip().startswith("🥇 Bob")
