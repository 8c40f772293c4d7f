"""The bot in a Telegram group: admins (asked through getChatMember) set the group up, members
join and answer a group quiz, and a non-admin cannot change the group's settings."""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.telegram import TelegramAdapter
from bot.app import App
from bot.db.schedule_models import Group, GroupMember
from tests.support.bank import letter_of, load_test_bank
from tests.support.telegram_standin import TelegramStandIn, User
from tests.telegram.conftest import ALICE, BOB, TelegramChat

GROUP_ID = -100123

CAROL = User(1003, "Carol", "en")


async def test_a_study_group_in_a_telegram_group(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    await load_test_bank(app)
    api.admins[GROUP_ID] = {ALICE.id}
    group_chat = {"id": GROUP_ID, "type": "supergroup", "title": "LLM study"}
    admin, bob, carol = (TelegramChat(api, user, GROUP_ID) for user in (ALICE, BOB, CAROL))
    for chat in (admin, bob, carol):
        chat.api = api

    async def say(chat: TelegramChat, text: str) -> str:
        before = len(chat.messages)
        api.push(api.text_update(chat.user, text, group_chat))
        await api.wait_for_messages(GROUP_ID, before + 1)
        return chat.messages[-1].text

    assert "Only the group's admins" in await say(bob, "/start")
    settings = await say(admin, "/start")
    assert "Study group settings" in settings
    await admin.press("Plan")
    await admin.press("100 days")
    await admin.press("Application")
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None and (group.plan, group.track, group.title) == (
        "ai-fullstack-100",
        "app",
        "LLM study",
    )

    assert "Welcome to the study group" in await say(bob, "/join")
    quiz = await say(admin, "/quiz")
    assert "Group quiz · Day 1" in quiz
    post = admin.with_button("A")
    # Options are shuffled per post: find the letter of the right one.
    right = letter_of(quiz, "typing")
    wrong = next(letter for letter in "ABCD" if letter != right)
    await bob.press(right, expect=0, message=post)
    assert "Correct" in (bob.toast() or "")
    await carol.press(wrong, expect=0, message=post)
    assert "Not quite" in (carol.toast() or "")
    async with app.sessions() as session:
        points = sorted(row.points for row in await session.scalars(select(GroupMember)))
    assert points == [0, 1]
    assert "🥇 Bob" in await say(carol, "/leaderboard")
    assert len(api.calls_to("getChatMember")) >= 2  # asked, then cached per user
