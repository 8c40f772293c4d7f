"""Driving quiz rounds through the chat, answering right or wrong on purpose."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.core import render_plain
from bot.db.models import Learner
from quizzes.model import Question
from tests.support.bank import TEST_BANK
from tests.support.chat import Chat

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_question(chat: Chat) -> Question | None:
    """The bank question the newest reply presents, if any."""
    for reply in reversed(chat.replies):
        text = render_plain(reply.body)
        for question in TEST_BANK:
            if question.stem in text and reply.buttons:
                return question
    return None


async def answer(chat: Chat, question: Question, right: bool) -> None:
    if question.kind == "choice":
        wrong = next(option for option in question.options if option != question.answer)
        option = question.answer if right else wrong
        await chat.choose(option)  # options are shuffled: press the letter it is shown under
    elif question.kind == "true_false":
        truth = question.answer == "true"
        await chat.press("True" if truth == right else "False")
    elif question.kind == "cloze":
        await chat.say(question.answer if right else "no idea at all")
    else:
        await chat.press("Show answer")
        await chat.press("Good" if right else "Again")


async def quiz_round(chat: Chat, right: Callable[[int], bool]) -> list[bool]:
    """Run /quiz to the end; `right(n)` says whether the n-th card (from 0) is answered right.
    Returns the outcomes, one per review recorded."""
    outcomes: list[bool] = []
    await chat.say("/quiz")
    while (question := shown_question(chat)) is not None:
        outcome = right(len(outcomes))
        await answer(chat, question, outcome)
        outcomes.append(outcome)
        assert len(outcomes) < 30, "the round does not end"
    return outcomes


async def learner_id(app: App, user: str = "alice") -> int:
    async with app.sessions() as session:
        found = await session.scalar(select(Learner.id).where(Learner.platform_user_id == user))
    assert found is not None
    return found


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
