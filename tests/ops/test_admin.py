"""/admin in the chat and `tutorbot admin` on the server: statistics, a broadcast that goes out
through the outbox and the dispatcher, the question banks re-imported; anyone not in
TUTORBOT_ADMINS is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.cli import main
from bot.db.models import QuestionRow
from bot.db.schedule_models import Broadcast, Delivery
from bot.scheduling.dispatcher import Dispatcher
from bot.settings import Settings
from tests.scheduling.test_dispatcher import Clock, add_recipients
from tests.support.chat import Chat
from tests.support.sink import SinkStandIn, SinkTransport

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def admin_app(database_url: str) -> AsyncIterator[App]:
    settings = Settings(_env_file=None, admins=frozenset({"console:root"}))  # type: ignore[call-arg]
    app = build_app(settings, database_url)
    yield app
    await app.close()


async def count(app: App, model: type) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_anyone_else_is_refused_and_nothing_changes(admin_app: App) -> None:
    await add_recipients(admin_app, 2, NOW.date())
    mallory = Chat(admin_app.core, user="mallory", now=NOW, locale_hint="en")
    for command in ("/admin stats", "/admin broadcast hi", "/admin bank import", "/admin"):
        assert "operators only" in await mallory.say(command)
    assert await count(admin_app, Broadcast) == 0 and await count(admin_app, Delivery) == 0
    assert await count(admin_app, QuestionRow) == 0
    # Not in the menus or in /help either.
    assert "/admin" not in await mallory.say("/help")


async def test_stats_broadcast_and_bank_import_in_the_chat(admin_app: App) -> None:
    await add_recipients(admin_app, 3, NOW.date())
    root = Chat(admin_app.core, user="root", now=NOW, locale_hint="en")
    text = await root.say("/admin stats")
    assert "Learners: 3 (3 active, 3 enrolled)" in text and "Outbox: 0" in text
    assert "Usage: /admin stats" in await root.say("/admin frobnicate")
    assert "Usage:" in await root.say("/admin broadcast   ")

    text = await root.say("/admin broadcast Maintenance tonight at 23:00 UTC.")
    assert "Broadcast queued for 3 recipients" in text  # the console learner is not reachable
    async with SinkStandIn() as sink:
        transport = SinkTransport(sink.url)
        dispatcher = Dispatcher(
            admin_app.sessions, admin_app.core, {"sink": transport}, "w", Clock(NOW)
        )
        report = await dispatcher.run_once()
        await transport.close()
    assert report.sent == 3
    assert {body for _, body in sink.received} == {"Maintenance tonight at 23:00 UTC."}
    assert "Outbox: sent 3" in await root.say("/admin stats")

    text = await root.say("/admin bank import")
    imported = await count(admin_app, QuestionRow)
    assert imported > 1000 and f"Question banks imported: {imported} questions" in text


def test_the_same_on_the_command_line(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "bank", "import", "--db", database_url]) == 0
    assert "questions (" in capsys.readouterr().out
    assert main(["admin", "broadcast", "Hello everyone", "--db", database_url]) == 0
    assert "broadcast queued for 0 recipients" in capsys.readouterr().out
    assert main(["admin", "stats", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert "learners: 0" in out and "questions: " in out
    assert main(["admin", "broadcast", " ", "--db", database_url]) == 2
