"""A study group in a group chat: admin-only settings, the group's lesson, members, a group quiz
with one answer each, the leaderboard, and the daily post through the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import App
from bot.core import render_plain
from bot.db.models import CardRow
from bot.db.schedule_models import Group, GroupMember, GroupQuizAnswer
from tests.core.test_bad_input import snapshot
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat

START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def member(app: App, name: str, admin: bool = False) -> Chat:
    return Chat(app.core, user=name, now=START, group="-100777", admin=admin, locale_hint="en")


async def set_up_group(app: App) -> Chat:
    admin = member(app, "ada", admin=True)
    text = await admin.say("/start")
    assert "Study group settings" in text and "Choose the group's plan" in text
    await admin.press("Plan")
    await admin.press("100 days")
    await admin.press("Application")
    assert "Saved." in admin.text and "Plan: AI Full-Stack Engineer · 100 days" in admin.text
    await admin.press("Daily lesson time")
    await admin.press("21:00")
    return admin


async def test_only_admins_change_the_group(app: App) -> None:
    admin = await set_up_group(app)
    bob = member(app, "bob")
    before = await snapshot(app)
    assert "Only the group's admins" in await bob.say("/settings")
    assert "Only the group's admins" in await bob.say("/settings time 05:00")
    await admin.say("/settings")
    assert "belong to someone else" in await bob.press_data(admin.button("Timezone"))
    assert (await snapshot(app))["groups"] == before["groups"]
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None
    assert (group.plan, group.track, group.push_time) == ("ai-fullstack-100", "app", dt.time(21, 0))
    assert group.start_date == dt.date(2026, 3, 2)


async def test_lesson_join_quiz_and_leaderboard(app: App) -> None:
    await load_test_bank(app)
    admin = await set_up_group(app)
    bob, cyd = member(app, "bob"), member(app, "cyd")
    assert "Day 1 · Python类型系统与类型提示" in await bob.say("/today")
    assert "Welcome to the study group, Bob" in await bob.say("/join")
    assert "already in this study group" in await bob.say("/join")
    assert "private chat" in await bob.say("/export")
    assert await bob.say("just chatting with friends") == ""  # plain talk is not for the bot

    text = await admin.say("/quiz")
    assert "Group quiz · Day 1 · Python类型系统与类型提示" in text and TEST_BANK[0].stem in text
    post = admin.last_buttons
    bob.last_buttons = cyd.last_buttons = post
    bob.last_menu_text = cyd.last_menu_text = admin.last_menu_text
    assert "Correct! +1 point" in await bob.choose("typing")
    assert "already answered" in await bob.choose("typing")
    assert "Answer: typing" in await cyd.choose_other_than("typing")  # a stranger answers
    async with app.sessions() as session:
        answers = list(await session.scalars(select(GroupQuizAnswer)))
        points = {row.learner_id: row.points for row in await session.scalars(select(GroupMember))}
        reps = {row.learner_id: row.reps for row in await session.scalars(select(CardRow))}
    assert len(answers) == 2 and sorted(points.values()) == [0, 1]
    assert reps == dict.fromkeys(points, 1)  # each answer reviewed the member's own card

    text = await cyd.say("/leaderboard")
    lines = [line for line in text.splitlines() if "quiz points" in line]
    assert lines[0].startswith("🥇 Bob") and "1 quiz points" in lines[0]
    assert lines[1].startswith("🥈 Cyd")


async def test_the_daily_post_goes_to_the_group_chat(app: App) -> None:
    await set_up_group(app)
    from bot.scheduling.outbox import enqueue_daily
    from bot.scheduling.periods import QuietHours

    async with app.sessions() as session, session.begin():
        added = await enqueue_daily(
            session,
            dt.datetime(2026, 3, 3, 13, 0, tzinfo=dt.UTC),
            QuietHours(dt.time(0), dt.time(0)),
        )
    assert added == 1  # 21:00 in Shanghai
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None
    replies = await app.core.compose(
        "group", group.id, "daily", dt.datetime(2026, 3, 3, 13, 0, tzinfo=dt.UTC)
    )
    assert replies is not None
    from bot.core import render_plain

    text = render_plain(replies[0].body)
    assert "Today's lesson for the group" in text and "Day 2 · 异步编程" in text


async def test_a_group_past_its_plans_end_is_told_so_not_shown_the_last_day(app: App) -> None:
    admin = await set_up_group(app)
    admin.advance(days=120)
    text = await admin.say("/today")
    assert "🎓 The group has reached the end of AI Full-Stack Engineer · 100 days!" in text
    assert "Day 100" not in text
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None
    first_after = START + dt.timedelta(days=100)
    pushed = await app.core.compose("group", group.id, "daily", first_after) or []
    assert "reached the end" in "\n".join(render_plain(reply.body) for reply in pushed)
    assert await app.core.compose("group", group.id, "daily", admin.now) == []
