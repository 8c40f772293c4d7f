"""Numbers for /progress and the retrospectives: streak, card states, true retention, forecast."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CardRow, Learner, LessonCompletion, QuestionRow, ReviewLogRow
from bot.services import progress, reviews
from quizzes.srs import Rating, State

STREAK_LOOKBACK_DAYS = 400
RETENTION_WINDOW_DAYS = 30
FORECAST_DAYS = 7


@dataclass(frozen=True, slots=True)
class LearningStats:
    streak: int
    new: int
    learning: int
    review: int
    relearning: int
    suspended: int
    retention: float | None  # None until there is a review-state first review to count
    retention_reviews: int
    forecast: tuple[tuple[dt.date, int], ...]
    lessons_done: int
    plan_length: int


def _local_date(moment: dt.datetime, timezone: str) -> dt.date:
    return progress.local_today(timezone, moment)


async def study_days(session: AsyncSession, learner: Learner, now: dt.datetime) -> set[dt.date]:
    since = now - dt.timedelta(days=STREAK_LOOKBACK_DAYS)
    reviewed = await session.scalars(
        select(ReviewLogRow.reviewed_at).where(
            ReviewLogRow.learner_id == learner.id, ReviewLogRow.reviewed_at >= since
        )
    )
    completed = await session.scalars(
        select(LessonCompletion.completed_at).where(
            LessonCompletion.learner_id == learner.id, LessonCompletion.completed_at >= since
        )
    )
    return {_local_date(moment, learner.timezone) for moment in [*reviewed, *completed]}


def streak_length(days: set[dt.date], today: dt.date) -> int:
    """Consecutive study days ending today, or yesterday while today is still open."""
    cursor = today if today in days else today - dt.timedelta(days=1)
    length = 0
    while cursor in days:
        length += 1
        cursor -= dt.timedelta(days=1)
    return length


async def true_retention(
    session: AsyncSession, learner: Learner, now: dt.datetime
) -> tuple[float | None, int]:
    """Anki's true retention: of each mature card's first review on a day, the share not failed."""
    since = now - dt.timedelta(days=RETENTION_WINDOW_DAYS)
    rows = await session.execute(
        select(
            ReviewLogRow.card_id,
            ReviewLogRow.reviewed_at,
            ReviewLogRow.rating,
            ReviewLogRow.state_before,
        )
        .where(ReviewLogRow.learner_id == learner.id, ReviewLogRow.reviewed_at >= since)
        .order_by(ReviewLogRow.reviewed_at, ReviewLogRow.id)
    )
    seen: set[tuple[int, dt.date]] = set()
    passed = total = 0
    for card_id, reviewed_at, rating, state_before in rows:
        key = (card_id, _local_date(reviewed_at, learner.timezone))
        if key in seen:
            continue
        seen.add(key)
        if state_before != int(State.Review):
            continue
        total += 1
        passed += int(rating != int(Rating.Again))
    return (passed / total if total else None), total


async def forecast(
    session: AsyncSession, learner: Learner, now: dt.datetime
) -> tuple[tuple[dt.date, int], ...]:
    """Cards due on each of the next days (today includes everything overdue)."""
    today = progress.local_today(learner.timezone, now)
    horizon = now + dt.timedelta(days=FORECAST_DAYS + 1)
    dues = await session.scalars(
        select(CardRow.due).where(
            CardRow.learner_id == learner.id, CardRow.suspended.is_(False), CardRow.due < horizon
        )
    )
    counts = Counter(max(today, _local_date(due, learner.timezone)) for due in dues)
    return tuple(
        (today + dt.timedelta(days=offset), counts.get(today + dt.timedelta(days=offset), 0))
        for offset in range(FORECAST_DAYS)
    )


async def learning_stats(
    session: AsyncSession, learner: Learner, now: dt.datetime
) -> LearningStats:
    by_state = dict(
        (
            await session.execute(
                select(CardRow.state, func.count())
                .where(CardRow.learner_id == learner.id, CardRow.suspended.is_(False))
                .group_by(CardRow.state)
            )
        ).all()
    )
    suspended = await session.scalar(
        select(func.count())
        .select_from(CardRow)
        .where(CardRow.learner_id == learner.id, CardRow.suspended.is_(True))
    )
    has_card = select(CardRow.id).where(
        CardRow.learner_id == learner.id, CardRow.question_id == QuestionRow.id
    )
    new = await session.scalar(
        select(func.count())
        .select_from(QuestionRow)
        .where(
            QuestionRow.lesson_key.in_(reviews.delivered_lesson_keys(learner, now)),
            QuestionRow.retired.is_(False),
            ~has_card.exists(),
        )
    )
    retention, retention_reviews = await true_retention(session, learner, now)
    done = await session.scalar(
        select(func.count())
        .select_from(LessonCompletion)
        .where(LessonCompletion.learner_id == learner.id, LessonCompletion.plan == learner.plan)
    )
    today = progress.local_today(learner.timezone, now)
    return LearningStats(
        streak=streak_length(await study_days(session, learner, now), today),
        new=int(new or 0),
        learning=int(by_state.get(int(State.Learning), 0)),
        review=int(by_state.get(int(State.Review), 0)),
        relearning=int(by_state.get(int(State.Relearning), 0)),
        suspended=int(suspended or 0),
        retention=retention,
        retention_reviews=retention_reviews,
        forecast=await forecast(session, learner, now),
        lessons_done=int(done or 0),
        plan_length=progress.plan_length(learner),
    )
