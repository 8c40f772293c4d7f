"""Alembic: upgrade to head, downgrade to base and up again, on SQLite and PostgreSQL;
and the models match what the migrations build."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.engine import create_engine, session_factory
from bot.db.models import Base, ButtonMenu, Learner
from bot.db.schedule_models import GroupMember
from tests.conftest import postgres_url

EXPECTED_TABLES = {
    "learners",
    "lesson_completions",
    "button_menus",
    "curriculum_lessons",
    "questions",
    "cards",
    "review_logs",
    "quiz_sessions",
    "deliveries",
    "groups",
    "group_members",
    "group_quiz_answers",
    "send_slots",
    "broadcasts",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    base = postgres_url()
    if not base:
        pytest.skip("TUTORBOT_TEST_POSTGRES_URL not set")
    name = f"tutorbot_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(str(make_url(base).set(database="postgres")))
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(base).set(database=name))
    finally:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def model_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "compare_server_default": True}
                    ),
                    Base.metadata,
                )
            )
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    url = empty_database
    await migrate.upgrade(url)
    assert await migrate.current_revision(url) == migrate.head_revision(url)
    assert EXPECTED_TABLES <= await table_names(url)
    assert await model_differences(url) == []

    await migrate.downgrade(url, "base")
    assert await migrate.current_revision(url) is None
    assert not (EXPECTED_TABLES & await table_names(url))

    await migrate.upgrade(url)
    assert await migrate.current_revision(url) == migrate.head_revision(url)


async def test_sqlite_ids_are_never_reused_and_rebuilding_keeps_every_row(tmp_path: Path) -> None:
    """Adding AUTOINCREMENT rebuilds `learners` and `groups`: the rows that refer to them stay
    (foreign keys are off while a migration rebuilds a table), and a forgotten id stays unused."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"
    await migrate.upgrade(url, "0006")
    moment = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            learners = [Learner(platform="console", platform_user_id=name) for name in "abc"]
            session.add_all(learners)
            # The group as revision 0006 stores it (the model has columns added later).
            await session.execute(
                text(
                    "INSERT INTO groups (platform, chat_id, title, language, timezone, push_time,"
                    " next_lesson_day, paused, active) VALUES ('console', '-1', '', 'zh',"
                    " 'Asia/Shanghai', '08:00:00.000000', 1, 0, 1)"
                )
            )
            await session.flush()
            group_id = (await session.execute(text("SELECT id FROM groups"))).scalar_one()
            for learner in learners:
                session.add(GroupMember(group_id=group_id, learner_id=learner.id, joined_at=moment))
                session.add(
                    ButtonMenu(
                        token=f"token-{learner.id}",
                        learner_id=learner.id,
                        flow="forget",
                        actions=["forget:yes"],
                        created_at=moment,
                        expires_at=moment,
                    )
                )
    finally:
        await engine.dispose()

    await migrate.upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            schema = dict(
                (await connection.execute(text("SELECT name, sql FROM sqlite_master"))).all()
            )
        assert "AUTOINCREMENT" in schema["learners"] and "AUTOINCREMENT" in schema["groups"]
        async with session_factory(engine)() as session, session.begin():
            assert len((await session.scalars(select(GroupMember))).all()) == 3
            assert len((await session.scalars(select(ButtonMenu))).all()) == 3
            newest = await session.scalar(select(func.max(Learner.id)))
            await session.execute(delete(Learner).where(Learner.id == newest))
        async with session_factory(engine)() as session, session.begin():
            assert len((await session.scalars(select(GroupMember))).all()) == 2  # cascade is on
            dora = Learner(platform="console", platform_user_id="d")
            session.add(dora)
            await session.flush()
            assert newest is not None and dora.id > newest
    finally:
        await engine.dispose()
    assert await model_differences(url) == []
