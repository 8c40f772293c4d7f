"""The /quiz round as a state machine: start, show the card at the round's position, take an
answer (a button, a typed answer, a self-rating after a reveal), record it, move on, finish.

Every step returns an outcome for the core to render (a card to show, a graded answer, the end
of the round) or why it was refused; nothing here knows about messages or buttons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, QuizSessionRow
from bot.services import quiz_sessions, reviews
from bot.services.quiz_sessions import SCHEDULED
from bot.settings import QuizSettings
from quizzes.free_text import FreeTextGrade, Verdict, rating_for_verdict
from quizzes.grading import grade
from quizzes.model import Kind, Question
from quizzes.presentation import option_order
from quizzes.srs import Card, Rating, preview_intervals, rating_for_answer

DONT_KNOW = "dk"


class Refused(Enum):
    BEHIND = "the card is no longer the round's current one"
    INVALID = "not an answer this card takes"
    OVER = "the round is over"


@dataclass(frozen=True, slots=True)
class Showing:
    """The round's current card, its options in this presentation's order."""

    row: QuizSessionRow
    question: Question
    order: tuple[int, ...]

    @property
    def number(self) -> int:
        return self.row.position + 1

    @property
    def total(self) -> int:
        return len(self.row.queue)


@dataclass(frozen=True, slots=True)
class RoundOver:
    mode: str
    answered: int
    correct: int
    seconds: int


Step = Showing | RoundOver


@dataclass(frozen=True, slots=True)
class Graded:
    """An answer's verdict; `review` is the card's new schedule (scheduled rounds only)."""

    shown: Showing
    correct: bool
    grade: FreeTextGrade | None
    review: reviews.Outcome | None


def order_of(row: QuizSessionRow, question: Question) -> tuple[int, ...]:
    """The options' order of this presentation, the same every time it is derived."""
    return option_order(question, f"quiz:{row.id}:{row.position}")


def response_for(question: Question, value: str) -> str | None:
    """What an answer button means: a choice's bank index or true/false; None for anything
    else. Shared by the personal and the group quiz."""
    if question.kind == Kind.CHOICE and value.isascii() and value.isdigit():
        index = int(value)
        return question.options[index] if index < len(question.options) else None
    if question.kind == Kind.TRUE_FALSE and value in {"true", "false"}:
        return value
    return None


async def start(
    session: AsyncSession,
    learner: Learner,
    mode: str,
    scope: str | None,
    queue: list[str],
    now: dt.datetime,
) -> Step:
    row = await quiz_sessions.start_session(session, learner, mode, scope, queue, now)
    return await _current_card(session, row, now)


async def _current_card(session: AsyncSession, row: QuizSessionRow, now: dt.datetime) -> Step:
    while row.position < len(row.queue):
        stored = await quiz_sessions.question(session, row.queue[row.position])
        if stored is not None:  # a question removed mid-round is skipped
            row.presented_at = now
            question = quiz_sessions.as_question(stored)
            return Showing(row, question, order_of(row, question))
        row.position += 1
    return finish(row, now)


async def advance(session: AsyncSession, row: QuizSessionRow, now: dt.datetime) -> Step:
    row.position += 1
    return await _current_card(session, row, now)


def finish(row: QuizSessionRow, now: dt.datetime) -> RoundOver:
    row.finished_at = now
    seconds = int((now - row.started_at).total_seconds())
    return RoundOver(row.mode, row.answered, row.correct, seconds)


async def at(
    session: AsyncSession, learner: Learner, session_id: int, position: int
) -> Showing | Refused:
    """The learner's open round, if `position` is still its current card (locked for update)."""
    row = await quiz_sessions.open_session(session, learner, session_id)
    if row is None or row.position != position:
        return Refused.BEHIND
    stored = await quiz_sessions.question(session, row.queue[row.position])
    if stored is None:
        return Refused.BEHIND
    question = quiz_sessions.as_question(stored)
    return Showing(row, question, order_of(row, question))


async def stop(
    session: AsyncSession, learner: Learner, session_id: int, now: dt.datetime
) -> RoundOver | Refused:
    row = await quiz_sessions.open_session(session, learner, session_id)
    if row is None:
        return Refused.OVER
    return finish(row, now)


def _duration_ms(row: QuizSessionRow, now: dt.datetime) -> int | None:
    if row.presented_at is None:
        return None
    return max(0, int((now - row.presented_at).total_seconds() * 1000))


async def answer(
    session: AsyncSession,
    learner: Learner,
    shown: Showing,
    response: str,
    result: FreeTextGrade | None,
    now: dt.datetime,
    settings: QuizSettings,
) -> Graded:
    """Grade a response (`result`: a typed answer's grade by meaning), record the review in a
    scheduled round, and count it."""
    row, question = shown.row, shown.question
    if result is None:
        correct = bool(response) and grade(question, response)
    else:
        correct = result.verdict == Verdict.CORRECT
    outcome = None
    if row.mode == SCHEDULED:
        if result is None:
            usual = await reviews.usual_durations(session, learner.id)
            rating = rating_for_answer(correct, _duration_ms(row, now), usual)
        else:
            rating = rating_for_verdict(result.verdict)
        outcome = await _record(session, learner, shown, rating, correct, now, settings)
    row.answered += 1
    row.correct += int(correct)
    return Graded(shown, correct, result, outcome)


async def rate(
    session: AsyncSession,
    learner: Learner,
    shown: Showing,
    rating_value: int,
    now: dt.datetime,
    settings: QuizSettings,
) -> reviews.Outcome | None | Refused:
    """A self-rating after a reveal: recorded in a scheduled round, counted either way."""
    outcome = None
    if shown.row.mode == SCHEDULED:
        if rating_value not in {int(rating) for rating in Rating}:
            return Refused.INVALID
        outcome = await _record(session, learner, shown, Rating(rating_value), None, now, settings)
    shown.row.answered += 1
    shown.row.correct += int(rating_value >= int(Rating.Hard))
    return outcome


async def _record(
    session: AsyncSession,
    learner: Learner,
    shown: Showing,
    rating: Rating,
    correct: bool | None,
    now: dt.datetime,
    settings: QuizSettings,
) -> reviews.Outcome:
    stored = await quiz_sessions.question(session, shown.question.id)
    assert stored is not None
    duration = _duration_ms(shown.row, now)
    return await reviews.record_review(
        session, learner, stored, rating, correct, now, duration, settings
    )


async def intervals(
    session: AsyncSession,
    learner: Learner,
    question: Question,
    now: dt.datetime,
    settings: QuizSettings,
) -> dict[Rating, dt.timedelta]:
    """When the card would come back after each self-rating."""
    card = await reviews.card_for(session, learner.id, question.id)
    fsrs_card = reviews.fsrs_card_of(card) if card is not None else Card(due=now)
    return preview_intervals(reviews.scheduler_for(learner, settings), fsrs_card, now)
