"""Alembic: upgrade to head, downgrade to base and up again, on SQLite and PostgreSQL;
and the models match what the migrations build."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import Base
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
