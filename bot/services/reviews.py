"""Cards and reviews: which question comes next, and what an answer does to the schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CardRow, Learner, QuestionRow, ReviewLogRow
from bot.services import progress
from bot.settings import QuizSettings
from curriculum import load_plan
from quizzes import srs

# How many recent right answers define a learner's usual answer time.
USUAL_WINDOW = 50


@dataclass(frozen=True, slots=True)
class QuizLimits:
    new_per_day: int
    reviews_per_day: int
    desired_retention: float


def limits_for(learner: Learner, defaults: QuizSettings) -> QuizLimits:
    return QuizLimits(
        new_per_day=learner.new_per_day
        if learner.new_per_day is not None
        else defaults.new_per_day,
        reviews_per_day=learner.reviews_per_day
        if learner.reviews_per_day is not None
        else defaults.reviews_per_day,
        desired_retention=learner.desired_retention or defaults.desired_retention,
    )


def scheduler_for(
    learner: Learner, defaults: QuizSettings, enable_fuzzing: bool = True
) -> srs.Scheduler:
    return srs.make_scheduler(
        limits_for(learner, defaults).desired_retention, learner.fsrs_parameters, enable_fuzzing
    )


def local_day_start(learner: Learner, now: dt.datetime) -> dt.datetime:
    """The UTC instant of the learner's last local midnight: daily limits reset there."""
    local = progress.local_now(learner.timezone, now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC)


def delivered_lessons(learner: Learner, now: dt.datetime) -> list[tuple[int, str]]:
    """(day, key) of the lessons up to the learner's current day: the only source of new cards."""
    assert learner.plan is not None
    day = progress.current_day(learner, progress.local_today(learner.timezone, now))
    return [
        (lesson.day, lesson.key)
        for lesson in load_plan(learner.plan).lessons_for(learner.track)[:day]
    ]


def delivered_lesson_keys(learner: Learner, now: dt.datetime) -> list[str]:
    return [key for _, key in delivered_lessons(learner, now)]


async def counts_today(
    session: AsyncSession, learner: Learner, now: dt.datetime
) -> tuple[int, int]:
    """(new cards introduced, reviews done) since the learner's local midnight."""
    start = local_day_start(learner, now)
    new = await session.scalar(
        select(func.count())
        .select_from(CardRow)
        .where(CardRow.learner_id == learner.id, CardRow.created_at >= start)
    )
    reviews = await session.scalar(
        select(func.count())
        .select_from(ReviewLogRow)
        .where(ReviewLogRow.learner_id == learner.id, ReviewLogRow.reviewed_at >= start)
    )
    return int(new or 0), int(reviews or 0)


async def due_cards(
    session: AsyncSession, learner_id: int, now: dt.datetime, limit: int
) -> list[tuple[str, str]]:
    """(question id, lesson key) of due, unsuspended cards, most overdue first."""
    rows = await session.execute(
        select(CardRow.question_id, CardRow.lesson_key)
        .where(CardRow.learner_id == learner_id, CardRow.suspended.is_(False), CardRow.due <= now)
        .order_by(CardRow.due, CardRow.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


async def new_questions(
    session: AsyncSession, learner: Learner, lessons: list[tuple[int, str]], limit: int
) -> list[tuple[str, str]]:
    """Questions of delivered lessons the learner has no card for yet, earliest lesson first.

    New cards are introduced in day order, so every lesson before the first one that still has
    a question left is exhausted: the learner's frontier moves there and later lookups skip
    them. (A bank import that adds questions moves every frontier back.)
    """
    keys = [key for day, key in lessons if day >= learner.new_frontier_day]
    if not keys or limit <= 0:
        return []
    has_card = select(CardRow.id).where(
        CardRow.learner_id == learner.id, CardRow.question_id == QuestionRow.id
    )
    rows = (
        await session.execute(
            select(QuestionRow.id, QuestionRow.lesson_key, QuestionRow.day)
            .where(
                QuestionRow.lesson_key.in_(keys), QuestionRow.retired.is_(False), ~has_card.exists()
            )
            .order_by(QuestionRow.day, QuestionRow.difficulty, QuestionRow.id)
            .limit(limit)
        )
    ).all()
    frontier = rows[0][2] if rows else max(day for day, _ in lessons) + 1
    if frontier > learner.new_frontier_day:
        learner.new_frontier_day = frontier
    return [(row[0], row[1]) for row in rows]


def one_per_lesson(candidates: list[tuple[str, str]], taken: set[str], size: int) -> list[str]:
    """Siblings (questions of one lesson) are not shown twice in a session."""
    picked: list[str] = []
    for question_id, lesson_key in candidates:
        if len(picked) >= size:
            break
        if lesson_key in taken:
            continue
        taken.add(lesson_key)
        picked.append(question_id)
    return picked


async def build_queue(
    session: AsyncSession, learner: Learner, now: dt.datetime, size: int, defaults: QuizSettings
) -> list[str]:
    """Due reviews first, then new cards from delivered lessons, within the daily limits."""
    limits = limits_for(learner, defaults)
    new_today, reviews_today = await counts_today(session, learner, now)
    taken: set[str] = set()
    review_room = max(0, limits.reviews_per_day - reviews_today)
    # Fetch more than needed: the one-per-lesson rule drops siblings.
    due = await due_cards(session, learner.id, now, min(review_room, size) * 8)
    queue = one_per_lesson(due, taken, min(size, review_room))
    new_room = min(size - len(queue), max(0, limits.new_per_day - new_today))
    if new_room > 0:
        # Siblings of the due cards are dropped after the query, not in it, so that the
        # first row still marks the learner's true frontier.
        fresh = await new_questions(
            session, learner, delivered_lessons(learner, now), (new_room + len(taken)) * 8
        )
        queue += one_per_lesson(fresh, taken, new_room)
    return queue


async def usual_durations(session: AsyncSession, learner_id: int) -> list[int]:
    rows = await session.scalars(
        select(ReviewLogRow.duration_ms)
        .where(
            ReviewLogRow.learner_id == learner_id,
            ReviewLogRow.correct.is_(True),
            ReviewLogRow.duration_ms.is_not(None),
        )
        .order_by(ReviewLogRow.reviewed_at.desc())
        .limit(USUAL_WINDOW)
    )
    return [int(value) for value in rows if value is not None]


@dataclass(frozen=True, slots=True)
class Outcome:
    card: CardRow
    rating: srs.Rating
    leech: bool


def fsrs_card_of(row: CardRow) -> srs.Card:
    """The card's FSRS state as fsrs stores it in JSON."""
    return srs.Card.from_dict(cast(srs.CardDict, row.fsrs_card))


def store_fsrs_card(row: CardRow, card: srs.Card) -> None:
    row.fsrs_card = dict(card.to_dict())


async def card_for(session: AsyncSession, learner_id: int, question_id: str) -> CardRow | None:
    return await session.scalar(
        select(CardRow).where(CardRow.learner_id == learner_id, CardRow.question_id == question_id)
    )


async def new_card(
    session: AsyncSession, learner: Learner, question: QuestionRow, now: dt.datetime
) -> CardRow:
    row = CardRow(
        learner_id=learner.id,
        question_id=question.id,
        lesson_key=question.lesson_key,
        fsrs_card={},
        due=now,
        state=int(srs.State.Learning),
        reps=0,
        lapses=0,
        suspended=False,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    # The card id doubles as fsrs' card_id, so review logs group per card for the optimizer.
    store_fsrs_card(row, srs.Card(card_id=row.id, due=now))
    return row


async def record_review(
    session: AsyncSession,
    learner: Learner,
    question: QuestionRow,
    rating: srs.Rating,
    correct: bool | None,
    now: dt.datetime,
    duration_ms: int | None,
    defaults: QuizSettings,
) -> Outcome:
    """Apply one rating through fsrs, store the new card state and the review log."""
    row = await card_for(session, learner.id, question.id) or await new_card(
        session, learner, question, now
    )
    before = fsrs_card_of(row)
    result = srs.review(scheduler_for(learner, defaults), before, rating, now, duration_ms)
    lapsed = before.state == srs.State.Review and rating == srs.Rating.Again
    store_fsrs_card(row, result.card)
    row.due = result.card.due
    row.state = int(result.card.state)
    row.reps += 1
    row.lapses += int(lapsed)
    leech = lapsed and row.lapses >= defaults.leech_lapses
    if leech:
        row.suspended = True
    session.add(
        ReviewLogRow(
            card_id=row.id,
            learner_id=learner.id,
            rating=int(rating),
            reviewed_at=now,
            duration_ms=duration_ms,
            state_before=int(before.state),
            correct=correct,
        )
    )
    await session.flush()
    return Outcome(card=row, rating=rating, leech=leech)


async def next_due(session: AsyncSession, learner_id: int) -> dt.datetime | None:
    return await session.scalar(
        select(func.min(CardRow.due)).where(
            CardRow.learner_id == learner_id, CardRow.suspended.is_(False)
        )
    )


async def due_count(session: AsyncSession, learner_id: int, now: dt.datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(CardRow)
        .where(CardRow.learner_id == learner_id, CardRow.suspended.is_(False), CardRow.due <= now)
    )
    return int(count or 0)
