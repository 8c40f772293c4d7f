"""Database fixtures: every storage test runs on SQLite, and on PostgreSQL when
TUTORBOT_TEST_POSTGRES_URL is set (CI sets it; TUTORBOT_REQUIRE_POSTGRES=1 turns a skip into a failure)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.db import migrate
from bot.db.engine import create_engine, session_factory
from bot.db.models import Base
from bot.services.curriculum_sync import sync_curriculum
from bot.settings import Settings

POSTGRES_ENV = "TUTORBOT_TEST_POSTGRES_URL"
# Tables that survive between tests: reference data loaded once per session.
KEPT_TABLES = {"curriculum_lessons", "alembic_version"}


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("TUTORBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{POSTGRES_ENV} is required in this run")
    return url


async def prepare_database(url: str) -> None:
    """Upgrade to head and load the curriculum, as `make run` does."""
    await migrate.upgrade(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await sync_curriculum(session)
    finally:
        await engine.dispose()


async def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def truncate_postgres(url: str) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables if table.name not in KEPT_TABLES]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tutorbot.db"
    asyncio.run(prepare_database(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str | None]:
    url = postgres_url()
    if url:
        asyncio.run(reset_postgres_schema(url))
        asyncio.run(prepare_database(url))
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_session_url: str | None,
) -> str:
    """A migrated database with the curriculum loaded and no learner data."""
    if request.param == "sqlite":
        path = tmp_path / "tutorbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    if not postgres_session_url:
        pytest.skip(f"{POSTGRES_ENV} not set")
    asyncio.run(truncate_postgres(postgres_session_url))
    return postgres_session_url


@pytest.fixture
def postgres_database_url(postgres_session_url: str | None) -> str:
    """The PostgreSQL test database, emptied of learner data; for PostgreSQL-only behaviour."""
    if not postgres_session_url:
        pytest.skip(f"{POSTGRES_ENV} not set")
    asyncio.run(truncate_postgres(postgres_session_url))
    return postgres_session_url


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def app(database_url: str, settings: Settings) -> AsyncIterator[App]:
    built = build_app(settings, database_url)
    yield built
    await built.close()


def database_kind(url: str) -> str:
    return make_url(url).get_backend_name()
