"""Lesson completions and the learner's progress through their plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, LessonCompletion
from curriculum import Lesson


@dataclass(frozen=True, slots=True)
class Progress:
    day: int
    length: int
    completed: int


async def is_completed(session: AsyncSession, learner: Learner, lesson: Lesson) -> bool:
    found = await session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.learner_id == learner.id, LessonCompletion.lesson_key == lesson.key
        )
    )
    return found is not None


async def complete_lesson(
    session: AsyncSession, learner: Learner, lesson: Lesson, now: dt.datetime
) -> bool:
    """Record a completion; False when it was already recorded (nothing changes then)."""
    if await is_completed(session, learner, lesson):
        return False
    session.add(
        LessonCompletion(
            learner_id=learner.id,
            lesson_key=lesson.key,
            plan=lesson.plan,
            day=lesson.day,
            completed_at=now,
        )
    )
    await session.flush()
    return True


async def completed_count(session: AsyncSession, learner: Learner) -> int:
    if learner.plan is None:
        return 0
    count = await session.scalar(
        select(func.count(LessonCompletion.id)).where(
            LessonCompletion.learner_id == learner.id, LessonCompletion.plan == learner.plan
        )
    )
    return int(count or 0)


async def completed_days(session: AsyncSession, learner: Learner) -> set[int]:
    rows = await session.scalars(
        select(LessonCompletion.day).where(
            LessonCompletion.learner_id == learner.id, LessonCompletion.plan == learner.plan
        )
    )
    return set(rows)
