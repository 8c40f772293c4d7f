"""/export and /forget."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Base
from tests.support.chat import Chat, enrol


async def rows_of(app: App) -> dict[str, int]:
    counts = {}
    async with app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "curriculum_lessons":
                continue
            query = select(func.count()).select_from(table)
            counts[table.name] = int(await session.scalar(query) or 0)
    return counts


async def test_export_is_a_json_document_of_everything(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/today")
    await chat.press("Done")
    await chat.say("/export")
    document = chat.replies[0].document
    assert document is not None and document.filename.endswith(".json")
    data = json.loads(document.content)
    assert data["format"] == "tutorbot-export/1"
    assert data["learner"]["plan"] == "ai-fullstack-100"
    assert data["learner"]["track"] == "app"
    assert data["learner"]["timezone"] == "Asia/Shanghai"
    assert data["learner"]["push_time"] == "08:00"
    assert [row["lesson"] for row in data["lesson_completions"]] == ["ai-fullstack-100/common/1"]
    assert len(data["button_menus"]) >= 6


async def test_forget_deletes_every_row_of_the_learner_only(app: App) -> None:
    alice, bob = Chat(app.core, user="alice"), Chat(app.core, user="bob")
    for chat in (alice, bob):
        await enrol(chat)
        await chat.say("/today")
        await chat.press("Done")
    before = await rows_of(app)
    await alice.say("/forget")
    text = await alice.press("Yes, delete everything")
    assert "All your data has been deleted" in text
    after = await rows_of(app)
    assert after["learners"] == before["learners"] - 1
    assert after["lesson_completions"] == before["lesson_completions"] - 1
    assert "/start" in await alice.say("/today")
    assert "Day 1 ·" in await bob.say("/today")
    await bob.say("/export")
    document = bob.replies[0].document
    assert document is not None
    data = json.loads(document.content)
    assert data["learner"]["platform_user_id"] == "bob"


async def test_forget_also_deletes_the_learners_chart_images(app: App, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.db.models import Learner
    from bot.services.chart_files import chart_path

    app.settings.retro.chart_dir = tmp_path / "charts"
    chat = Chat(app.core)
    await enrol(chat)
    async with app.sessions() as session:
        learner = await session.scalar(select(Learner))
    assert learner is not None
    chart = chart_path(app.settings.retro.chart_dir, "learner", learner.id, "2026-W10")
    chart.parent.mkdir(parents=True)
    chart.write_bytes(b"\x89PNG")
    await chat.say("/forget")
    await chat.press("Yes, delete everything")
    assert not chart.exists() and not chart.parent.exists()
