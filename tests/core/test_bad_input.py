"""Bad input gets a short, friendly reply and changes nothing, on both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Base
from tests.support.chat import Chat, enrol


async def snapshot(app: App) -> dict[str, Any]:
    """Every row of every learner-data table, to prove that nothing changed."""
    tables: dict[str, Any] = {}
    async with app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "curriculum_lessons":
                continue
            rows = (await session.execute(select(table))).mappings().all()
            tables[table.name] = sorted(
                json.dumps(dict(row), default=str, sort_keys=True) for row in rows
            )
    return tables


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/frobnicate", "I don't know the command /frobnicate"),
        ("hello there", "I work with commands"),
        ("x" * 100_000, "too long (100000 characters)"),
        ("/settings timezone Mars/Olympus_Mons", "is not a timezone I know"),
        ("/settings time 25:99", "is not a time of day"),
        ("/settings time 7pm", "is not a time of day"),
        ("/settings language klingon", "Usage: /settings"),
        ("/settings colour blue", "Usage: /settings"),
        ("   ", "Send /help"),
    ],
)
async def test_bad_messages_change_nothing(
    app: App, enrolled: Chat, message: str, expected: str
) -> None:
    before = await snapshot(app)
    text = await enrolled.say(message)
    assert expected in text
    assert len(text) < 300
    assert await snapshot(app) == before


async def test_invalid_typed_timezone_and_time_keep_asking(app: App, enrolled: Chat) -> None:
    await enrolled.say("/settings")
    await enrolled.press("Timezone")
    await enrolled.press("Other")
    before = await snapshot(app)
    assert "is not a timezone I know" in await enrolled.say("Not/AZone")
    assert "is not a timezone I know" in await enrolled.say("y" * 3000)
    assert await snapshot(app) == before
    assert "Timezone: Asia/Kolkata" in await enrolled.say("Asia/Kolkata")

    await enrolled.say("/settings")
    await enrolled.press("Daily lesson time")
    await enrolled.press("Other")
    before = await snapshot(app)
    assert "is not a time of day" in await enrolled.say("25:99")
    assert "is not a time of day" in await enrolled.say("12:60")
    assert await snapshot(app) == before
    assert "Daily lesson time: 23:05" in await enrolled.say("23:05")


async def test_stale_foreign_forged_and_replayed_presses(app: App, enrolled: Chat) -> None:
    await enrolled.say("/settings")
    alices_button = enrolled.button("Pause")
    bob = Chat(app.core, user="bob")
    await enrol(bob)
    before = await snapshot(app)

    assert "belong to someone else" in await bob.press_data(alices_button)
    assert bob.replies[0].notice
    stranger = Chat(app.core, user="mallory")
    assert "这些按钮属于其他人" in await stranger.press_data(
        alices_button
    )  # no learner yet: Chinese
    for forged in ("nonsense", "abc:1", ":", "x" * 500, alices_button.split(":")[0] + ":99"):
        text = await enrolled.press_data(forged)
        assert "not valid" in text or "no longer valid" in text
    assert await snapshot(app) == before

    assert "Paused on Day 1" in await enrolled.press_data(alices_button)
    after_pause = await snapshot(app)
    assert "already pressed" in await enrolled.press_data(alices_button)
    assert await snapshot(app) == after_pause


async def test_forget_without_confirming_changes_nothing(app: App, enrolled: Chat) -> None:
    before = await snapshot(app)
    assert "Delete all your data?" in await enrolled.say("/forget")
    # The learner walks away instead of confirming: everything is still there.
    assert "Day 1 ·" in await enrolled.say("/today")
    after = await snapshot(app)
    assert after["learners"] == before["learners"]
    assert after["lesson_completions"] == before["lesson_completions"]


async def test_forget_cancel_keeps_everything(app: App, enrolled: Chat) -> None:
    await enrolled.say("/forget")
    before = await snapshot(app)
    assert "Cancelled. Nothing was changed." in await enrolled.press("Cancel")
    after = await snapshot(app)
    assert after["learners"] == before["learners"]


async def test_commands_before_start_do_not_create_a_learner(app: App) -> None:
    chat = Chat(app.core, user="newcomer", locale_hint="en")
    before = await snapshot(app)
    for command in (
        "/today",
        "/plan",
        "/pause",
        "/resume",
        "/settings",
        "/export",
        "/forget",
        "hi",
    ):
        text = await chat.say(command)
        assert "/start" in text or "no data" in text or "commands" in text
    assert await snapshot(app) == before
