"""The one place where parts are wired together, so tests can swap any of them."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import Adapter, Core
from bot.db import migrate
from bot.db.engine import create_engine, probe, session_factory
from bot.services.answer_grading import AnswerGrader
from bot.services.ask_engine import AskEngine
from bot.settings import Settings


class SchemaOutOfDate(RuntimeError):
    pass


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    core: Core
    ask_engine: AskEngine
    grader: AnswerGrader

    async def close(self) -> None:
        await self.ask_engine.close()
        await self.grader.close()
        await self.engine.dispose()


def build_app(
    settings: Settings, database_url: str | None = None, ask_engine: AskEngine | None = None
) -> App:
    url = database_url or settings.database.url
    engine = create_engine(url, echo=settings.database.echo)
    sessions = session_factory(engine)
    # Loads nothing until the first question: the embedding model and Qdrant open lazily.
    ask_engine = ask_engine or AskEngine(settings)
    ask_engine.sessions = sessions
    # One client for the answer model, owned by the ask engine, shared with the grader and the
    # retrospectives.
    grader = AnswerGrader(settings, llm_client=ask_engine.llm_client)
    return App(
        settings=settings,
        engine=engine,
        sessions=sessions,
        core=Core(
            sessions,
            settings,
            ask_engine=ask_engine,
            grader=grader,
            llm_client=ask_engine.llm_client,
        ),
        ask_engine=ask_engine,
        grader=grader,
    )


def build_adapters(settings: Settings, core: Core) -> list[Adapter]:
    """Every chat platform the settings configure: each package under `bot/adapters/` offers
    `from_settings(settings, core)`, which returns None when its platform has no token."""
    import bot.adapters

    adapters: list[Adapter] = []
    for package in sorted(pkgutil.iter_modules(bot.adapters.__path__), key=lambda p: p.name):
        if not package.ispkg:
            continue
        module = importlib.import_module(f"bot.adapters.{package.name}")
        adapter = module.from_settings(settings, core)
        if adapter is not None:
            adapters.append(adapter)
    return adapters


async def check_schema(url: str) -> None:
    """Refuse to start on a database that `tutorbot db upgrade` has not brought up to date (or
    that cannot be opened at all: `DatabaseUnavailable`)."""
    await probe(url)
    current, head = await migrate.current_revision(url), migrate.head_revision(url)
    if current != head:
        raise SchemaOutOfDate(
            f"the database is at revision {current or 'none'}, the code needs {head}: "
            "run `tutorbot db upgrade` first"
        )
