"""Input a database cannot store or Python cannot parse as a number gets a friendly reply and
changes nothing: NUL characters (PostgreSQL refuses them in text), lone surrogates, digits that
are not ASCII (`²`) and numbers of thousands of digits. And a reply to a failure speaks the
learner's language."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from bot.app import App
from bot.core import Incoming
from bot.db.models import Learner
from tests.core.test_bad_input import snapshot
from tests.support.chat import Chat

UNREADABLE = "I can't read that message"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/quiz ²", "I have no questions for that yet"),
        ("/quiz ٣", "I have no questions for that yet"),
        ("/quiz " + "9" * 3990, "Your plan has days 1 to 100"),
        ("/quiz 99999999999", "Your plan has days 1 to 100"),
        ("/quiz \ud800", UNREADABLE),
        ("/ask what is \udcff?", UNREADABLE),
        ("/quiz Lo\x00RA", UNREADABLE),
        ("/settings timezone Asia/\x00Tokyo", UNREADABLE),
        ("/today\x00", UNREADABLE),
        ("hello \x00", UNREADABLE),
    ],
)
async def test_unreadable_messages_change_nothing(
    app: App, enrolled: Chat, message: str, expected: str
) -> None:
    before = await snapshot(app)
    reply = await enrolled.say(message)
    assert expected in reply
    assert "went wrong" not in reply
    assert len(reply) < 300
    assert await snapshot(app) == before


async def test_typed_answers_with_nul_change_nothing(app: App, enrolled: Chat) -> None:
    await enrolled.say("/settings")
    await enrolled.press("Timezone")
    await enrolled.press("Other")
    before = await snapshot(app)
    assert UNREADABLE in await enrolled.say("Asia/\x00Tokyo")
    assert await snapshot(app) == before
    assert "Timezone: Asia/Tokyo" in await enrolled.say("Asia/Tokyo")


async def test_forged_button_data_changes_nothing(app: App, enrolled: Chat) -> None:
    await enrolled.say("/settings")
    token = enrolled.button("Pause").split(":")[0]
    before = await snapshot(app)
    for forged in (f"{token}:²", f"{token}:١", f"{token}:0\x00", f"\x00{token}:0", "\ud800:0"):
        reply = await enrolled.press_data(forged)
        assert "not valid" in reply or UNREADABLE in reply, forged
        assert enrolled.replies[0].notice
    assert await snapshot(app) == before
    assert "Paused on Day 1" in await enrolled.press("Pause")


@pytest.mark.parametrize("user", ["ali\x00ce", "bob\udcff"])
async def test_unreadable_user_ids_change_nothing(app: App, user: str) -> None:
    before = await snapshot(app)
    chat = Chat(app.core, user=user, locale_hint="en")
    for message in ("/start", "/today", "/forget"):
        assert UNREADABLE in await chat.say(message)
    assert await snapshot(app) == before


async def test_unreadable_display_names_are_stored_cleaned(app: App) -> None:
    incoming = Incoming(
        platform="telegram",
        user_id="42",
        chat_id="42",
        display_name="Ca\x00rol \ud800",
        text="/start",
    )
    replies = await app.core.handle(incoming, dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    assert any(reply.buttons for reply in replies)
    async with app.sessions() as session:
        learner = await session.scalar(select(Learner))
    assert learner is not None and learner.display_name == "Carol ?"


async def test_a_failure_is_reported_in_the_learners_language(app: App, enrolled: Chat) -> None:
    # A real fault: the table of lessons done goes missing for a moment.
    async with app.engine.begin() as connection:
        await connection.execute(
            text("ALTER TABLE lesson_completions RENAME TO lesson_completions_away")
        )
    try:
        reply = await enrolled.say("/today")
    finally:
        async with app.engine.begin() as connection:
            await connection.execute(
                text("ALTER TABLE lesson_completions_away RENAME TO lesson_completions")
            )
    assert reply == (
        "Sorry, something went wrong on my side. Nothing was changed; please try again."
    )
