"""The console with a clock in another timezone, odd `!press` numbers, and two people sharing
one database: each sees only their own pushes."""

from __future__ import annotations

import io
import itertools
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from sqlalchemy import select

from bot.adapters.console import ConsoleChat, fixed_clock
from bot.app import App
from bot.cli.chat import converse
from bot.db.schedule_models import PENDING, SENT, Delivery
from tests.core.test_bad_input import snapshot
from tests.e2e.test_console_conversation import run_cli
from tests.support.bank import load_test_bank

ONBOARDING = ["/start", "!press 2", "!press 1", "!press 1", "!press 1", "!press 2"]
README_EXAMPLE = "/start\n!press 2\n!press 2\n!press 1\n!press 2\n/quiz\n!press 1\n"


def test_readme_example_with_a_plus_eight_clock_completes_a_quiz(tmp_path: Path) -> None:
    db = tmp_path / "tutorbot.db"
    for step in (("db", "upgrade"), ("curriculum", "load"), ("bank", "import")):
        assert run_cli(*step, db=db).returncode == 0, step
    result = run_cli(
        "chat", "--user", "ada2", "--now", "2026-03-02T09:00:00+08:00", db=db, stdin=README_EXAMPLE
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "went wrong" not in result.stdout
    assert "✅ Correct!" in result.stdout or "❌ Not quite." in result.stdout
    assert "Round complete" in result.stdout


async def test_clock_moved_with_an_offset_grades_answers(app: App) -> None:
    await load_test_bank(app)
    out = io.StringIO()
    chat = ConsoleChat(app.core, "lin", fixed_clock("2026-03-02T09:00:00+08:00"), out)
    await chat.run(ONBOARDING)
    await chat.run(["/quiz", "!press 1"])
    await chat.run(["!now 2026-03-03T09:00:00-05:00", "/today", "!press 1", "/quiz"])
    await chat.run(["!press 1", "!press 1"])
    transcript = out.getvalue()
    assert "went wrong" not in transcript
    assert transcript.count("Round complete") == 2


async def test_odd_press_numbers_change_nothing(app: App) -> None:
    out = io.StringIO()
    chat = ConsoleChat(app.core, "lin", fixed_clock("2026-03-02T01:00:00+00:00"), out)
    await chat.run(ONBOARDING)
    before = await snapshot(app)
    for number in ("²", "٣", "9" * 5000, "0", "-1", "1.5"):
        start = len(out.getvalue())
        await chat.send(f"!press {number}")
        assert "in the last reply)" in out.getvalue()[start:]
        assert len(out.getvalue()) - start < 100
    assert await snapshot(app) == before


def lines(items: Iterable[str]) -> Callable[[], Awaitable[str]]:
    source = itertools.chain((f"{item}\n" for item in items), itertools.repeat(""))

    async def read_line() -> str:
        return next(source)

    return read_line


async def test_one_console_user_never_sees_another_users_push(app: App) -> None:
    ada_out, bob_out = io.StringIO(), io.StringIO()
    ada = ConsoleChat(app.core, "ada", fixed_clock("2026-03-02T01:00:00+00:00"), ada_out)
    bob = ConsoleChat(app.core, "bob", fixed_clock("2026-03-02T01:00:00+00:00"), bob_out)
    # Ada follows the 100-day plan, Bob the 180-day one.
    await converse(app, ada, lines(ONBOARDING))
    await converse(
        app, bob, lines(["/start", "!press 2", "!press 2", "!press 1", "!press 2", "/help"])
    )
    # Bob's clock runs far ahead: the tick enqueues both learners' pushes for that day.
    start = len(bob_out.getvalue())
    await converse(app, bob, lines(["!now 2026-03-20T12:00:00+00:00", "/help"]))
    async with app.sessions() as session:
        rows = list(await session.scalars(select(Delivery)))
    bobs = [row for row in rows if row.chat_id == "bob"]
    adas = [row for row in rows if row.chat_id == "ada"]
    assert adas and all(row.state == PENDING for row in adas)
    assert all(row.state == SENT for row in bobs)
    assert bob_out.getvalue()[start:].count("📬") == 1
    assert "Day 19 · " in bob_out.getvalue()[start:]
    # Ada gets her own push when she next opens her console.
    await converse(app, ada, lines(["!now 2026-03-20T12:00:00+00:00", "/help"]))
    assert "📬" in ada_out.getvalue() and "Day 19" in ada_out.getvalue()
