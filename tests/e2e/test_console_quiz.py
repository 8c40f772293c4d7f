"""Console end to end: a learner receives lessons 1-3, quizzes with right and wrong answers of
every kind, comes back the next day and is shown exactly the cards FSRS says are due."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from bot.adapters.console import ConsoleChat, fixed_clock
from bot.app import App
from bot.db.models import CardRow, QuizSessionRow
from tests.support.bank import TEST_BANK, load_test_bank

ONBOARDING = ["/start", "!press 2", "!press 1", "!press 1", "!press 1", "!press 2"]


def letter_of(out: io.StringIO, option: str) -> str:
    """The letter the last choice card printed shows `option` under (options are shuffled)."""
    return re.findall(rf"^([A-F])\. {re.escape(option)}$", out.getvalue(), re.MULTILINE)[-1]


def press_option(out: io.StringIO, option: str, right: bool = True) -> str:
    """`!press N` for the letter button of `option` (letters are the card's first buttons), or
    with right=False for another letter."""
    index = "ABCDEF".index(letter_of(out, option))
    return f"!press {index + 1 if right else (2 if index == 0 else 1)}"


async def test_three_days_of_lessons_and_quizzes_then_tomorrow(app: App) -> None:
    await load_test_bank(app)
    out = io.StringIO()
    chat = ConsoleChat(app.core, "lin", fixed_clock("2026-03-02T01:00:00+00:00"), out)
    await chat.run(ONBOARDING)
    await chat.run(["/today", "!press 1", "/quiz"])
    await chat.run([press_option(out, "typing", right=False)])  # day 1: a wrong choice
    letter = letter_of(out, "typing")
    assert "Day 1 done!" in out.getvalue() and f"Answer: {letter}. typing" in out.getvalue()
    await chat.run(["!now 2026-03-03T01:00:00+00:00", "/today", "!press 1"])
    await chat.run(["!now 2026-03-04T01:00:00+00:00", "/today", "!press 1"])
    assert "Day 3 done! 3 of 100" in out.getvalue()

    start = len(out.getvalue())
    # Day 3: the day-1 card is due again, then day 2's true/false and day 3's cloze are new.
    await chat.run(["/quiz"])
    await chat.run([press_option(out, "typing"), "!press 2", "WITH"])  # right, wrong (False), right
    transcript = out.getvalue()[start:]
    assert transcript.count("✅ Correct!") == 2 and transcript.count("❌ Not quite.") == 1
    assert "Answer: True" in transcript and "Round complete" in transcript
    assert "2/3 right (67%)" in transcript

    # Two minutes later the missed true/false is due again; day 1's free-recall card is new.
    await chat.run(["!now 2026-03-04T01:02:00+00:00", "/quiz", "!press 1"])
    assert TEST_BANK[1].stem in out.getvalue()
    await chat.run(["!press 1"])  # Show answer
    assert "[3] Good · 10m" in out.getvalue()
    await chat.run(["!press 3"])

    await chat.run(["!now 2026-03-05T01:00:00+00:00"])
    async with app.sessions() as session:
        due = {
            row.question_id
            for row in await session.scalars(select(CardRow))
            if row.due.isoformat() <= "2026-03-05T01:00:00+00:00"
        }
    start = len(out.getvalue())
    await chat.run(["/quiz"])
    async with app.sessions() as session:
        round_row = await session.scalar(select(QuizSessionRow).order_by(QuizSessionRow.id.desc()))
    assert round_row is not None
    due_lessons = {question.lesson_key for question in TEST_BANK if question.id in due}
    # One card per lesson (siblings wait), and only due cards: nothing new is left for days 1-3.
    assert len(round_row.queue) == len(due_lessons)
    assert set(round_row.queue) <= due
    assert f"1/{len(due_lessons)} · Day 1" in out.getvalue()[start:]
