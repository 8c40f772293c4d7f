"""/export and /forget cover every table that holds rows about a learner. The tables are found
by walking the models (a foreign key to `learners`, or an outbox recipient), so a new table
fails here until the export holds it, /forget deletes it and this test gives it a row."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Table, func, select

from bot.app import App
from bot.db import schedule_models
from bot.db.models import Base, Learner
from bot.scheduling.periods import QuietHours
from bot.scheduling.service import tick
from bot.services.ask import record_turn
from bot.services.export import LEARNER_TABLES
from tests.groups.test_groups import member, set_up_group
from tests.support.bank import load_test_bank
from tests.support.chat import Chat, enrol

assert schedule_models.Delivery.__table__ in Base.metadata.sorted_tables


def learner_tables() -> dict[str, Table]:
    found = {}
    for table in Base.metadata.sorted_tables:
        refers = any(key.column.table.name == "learners" for key in table.foreign_keys)
        if table.name == "learners" or refers or "recipient_id" in table.c:
            found[table.name] = table
    return found


def rows_about(table: Table, learner_id: int) -> Any:
    if table.name == "learners":
        return table.c.id == learner_id
    if "recipient_id" in table.c:
        return (table.c.recipient_type == "learner") & (table.c.recipient_id == learner_id)
    (column,) = [key.parent for key in table.foreign_keys if key.column.table.name == "learners"]
    return column == learner_id


async def counts(app: App, learner_id: int) -> dict[str, int]:
    async with app.sessions() as session:
        return {
            name: int(
                await session.scalar(
                    select(func.count()).select_from(table).where(rows_about(table, learner_id))
                )
                or 0
            )
            for name, table in learner_tables().items()
        }


async def learner_id(app: App, user: str) -> int:
    async with app.sessions() as session:
        found = await session.scalar(select(Learner.id).where(Learner.platform_user_id == user))
    assert found is not None
    return found


def test_every_learner_table_has_its_place_in_the_export() -> None:
    assert set(learner_tables()) == set(LEARNER_TABLES)


async def live_a_little(app: App, chat: Chat) -> None:
    """Rows in every table: a lesson done, a quiz answered, a push, a question asked, a group
    joined and a group quiz answered."""
    await enrol(chat)
    await chat.say("/today")
    await chat.press("Done")
    await chat.say("/quiz")
    await chat.press_data(chat.last_buttons[0][1])
    await tick(app.sessions, QuietHours(dt.time(0), dt.time(0)), chat.now)
    async with app.sessions() as session, session.begin():
        learner = await session.scalar(select(Learner).where(Learner.platform_user_id == chat.user))
        await record_turn(
            session,
            learner=learner,
            platform=chat.platform,
            user_id=chat.user,
            chat_id=chat.user,
            question="Which day covers LoRA?",
            language="en",
            passages=[],
            mode="extractive",
            answer="Day 42.",
            now=chat.now,
        )
    in_group = member(app, chat.user)
    await in_group.say("/join")


async def test_export_holds_and_forget_deletes_every_row_of_the_learner(app: App) -> None:
    await load_test_bank(app)
    admin = await set_up_group(app)
    alice, bob = Chat(app.core, user="alice"), Chat(app.core, user="bob")
    for chat in (alice, bob):
        await live_a_little(app, chat)
    await admin.say("/quiz")
    for name in ("alice", "bob"):
        player = member(app, name)
        player.last_buttons, player.last_menu_text = admin.last_buttons, admin.last_menu_text
        await player.press_data(admin.last_buttons[0][1])

    alice_id, bob_id = await learner_id(app, "alice"), await learner_id(app, "bob")
    before = await counts(app, alice_id)
    assert all(before.values()), f"give every table a row in this test: {before}"
    await alice.say("/export")
    document = alice.replies[0].document
    assert document is not None
    exported = json.loads(document.content)
    for table, key in LEARNER_TABLES.items():
        held = exported[key]
        assert (1 if isinstance(held, dict) else len(held)) == before[table], table

    bobs = await counts(app, bob_id)
    await alice.say("/forget")
    assert "All your data has been deleted" in await alice.press("Yes, delete everything")
    assert not any((await counts(app, alice_id)).values())
    assert await counts(app, bob_id) == bobs


async def test_a_new_learner_never_inherits_a_forgotten_learners_id(app: App) -> None:
    alice = Chat(app.core, user="alice")
    await enrol(alice)
    await tick(app.sessions, QuietHours(dt.time(0), dt.time(0)), alice.now)
    forgotten = await learner_id(app, "alice")
    await alice.say("/forget")
    await alice.press("Yes, delete everything")
    carol = Chat(app.core, user="carol")
    await enrol(carol)
    assert await learner_id(app, "carol") > forgotten
    # Carol gets her own first push today: nothing of Alice's stands in its way.
    assert await tick(app.sessions, QuietHours(dt.time(0), dt.time(0)), carol.now) == (1, 0)
