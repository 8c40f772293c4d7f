"""Async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InvalidRequestError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

EXAMPLE_URLS = "sqlite+aiosqlite:///data/tutorbot.db or postgresql+asyncpg://USER@HOST:5432/NAME"


class DatabaseUnavailable(RuntimeError):
    """The URL names no database this process can open; the message says which and why."""


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _reason(error: BaseException) -> str:
    # SQLAlchemy wraps the driver's error and appends the SQL and a link: its first line is
    # the part a person can act on.
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    try:
        return _create_engine(url, echo)
    except (ArgumentError, NoSuchModuleError, InvalidRequestError) as error:
        raise DatabaseUnavailable(
            f"{_shown(url)} is not a database URL I can use ({_reason(error)}); "
            f"for example {EXAMPLE_URLS}"
        ) from error
    except OSError as error:  # the SQLite file's folder cannot be created
        raise DatabaseUnavailable(
            f"cannot open the database {_shown(url)}: {_reason(error)}"
        ) from error


async def probe(url: str) -> None:
    """Connect once, so that a server that is down, a database that does not exist or a file that
    is not a database is one clear `DatabaseUnavailable` instead of a traceback later."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as error:  # OSError: refused, unknown host, timed out
        raise DatabaseUnavailable(
            f"cannot open the database {_shown(url)}: {_reason(error)}"
        ) from error
    finally:
        await engine.dispose()


def _create_engine(url: str, echo: bool) -> AsyncEngine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, echo=echo)

        # SQLite only enforces ON DELETE CASCADE with foreign keys switched on per connection.
        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
