"""/quiz runs: a queue of question ids and the position in it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, QuestionRow, QuizSessionRow
from quizzes.model import Kind, Question, Source

SCHEDULED, PRACTICE = "scheduled", "practice"


async def start_session(
    session: AsyncSession,
    learner: Learner,
    mode: str,
    scope: str | None,
    queue: list[str],
    now: dt.datetime,
) -> QuizSessionRow:
    # A learner runs one quiz at a time: starting a new one closes the others.
    await session.execute(
        update(QuizSessionRow)
        .where(QuizSessionRow.learner_id == learner.id, QuizSessionRow.finished_at.is_(None))
        .values(finished_at=now)
    )
    row = QuizSessionRow(
        learner_id=learner.id,
        mode=mode,
        scope=scope,
        queue=queue,
        position=0,
        answered=0,
        correct=0,
        started_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def open_session(
    session: AsyncSession, learner: Learner, session_id: int
) -> QuizSessionRow | None:
    """The learner's own unfinished session with this id, or None."""
    # Read afresh: after an earlier commit in the same message the loaded copy may be stale.
    row = await session.get(
        QuizSessionRow, session_id, with_for_update=True, populate_existing=True
    )
    if row is None or row.learner_id != learner.id or row.finished_at is not None:
        return None
    return row


async def question(session: AsyncSession, question_id: str) -> QuestionRow | None:
    return await session.get(QuestionRow, question_id)


async def practice_queue(
    session: AsyncSession, lesson_keys: list[str], topic: str | None, size: int
) -> list[str]:
    """Questions of the given lessons, optionally those whose topic or stem mentions `topic`."""
    query = select(QuestionRow.id).where(
        QuestionRow.lesson_key.in_(lesson_keys), QuestionRow.retired.is_(False)
    )
    if topic:
        pattern = f"%{topic.lower()}%"
        query = query.where(QuestionRow.topic.ilike(pattern) | QuestionRow.stem.ilike(pattern))
    rows = await session.scalars(
        query.order_by(QuestionRow.day, QuestionRow.difficulty, QuestionRow.id).limit(size)
    )
    return list(rows)


def as_question(row: QuestionRow) -> Question:
    return Question(
        id=row.id,
        plan=row.plan,
        track=row.track,
        day=row.day,
        topic=row.topic,
        kind=Kind(row.kind),
        stem=row.stem,
        answer=row.answer,
        explanation=row.explanation,
        sources=tuple(Source(**source) for source in row.sources),
        difficulty=row.difficulty,
        options=tuple(row.options),
        accepted=tuple(row.accepted),
        language=row.language,
        provenance=row.provenance,
        version=row.version,
    )
