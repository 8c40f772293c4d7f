"""Stored /ask turns: the rate limit, follow-up context, feedback and the learner's export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AskTurn, Learner

RATE_WINDOW = dt.timedelta(hours=1)
PENDING = "pending"
FEEDBACK_VALUES = {"up": 1, "down": -1}


async def retry_at(
    session: AsyncSession, platform: str, user_id: str, now: dt.datetime, limit: int
) -> dt.datetime | None:
    """When this user may ask again, or None when they are under the hourly limit."""
    since = now - RATE_WINDOW
    recent = select(AskTurn.created_at).where(
        AskTurn.platform == platform,
        AskTurn.platform_user_id == user_id,
        AskTurn.created_at > since,
    )
    count = await session.scalar(select(func.count()).select_from(recent.subquery()))
    if (count or 0) < limit:
        return None
    # The window frees a slot when the oldest turn that keeps it full leaves it.
    blocking = await session.scalar(
        recent.order_by(AskTurn.created_at.desc()).offset(limit - 1).limit(1)
    )
    return (blocking or now) + RATE_WINDOW


async def conversation(
    session: AsyncSession,
    platform: str,
    user_id: str,
    chat_id: str,
    since: dt.datetime,
    limit: int,
) -> list[AskTurn]:
    """The user's latest answered turns in this chat since `since`, oldest first."""
    rows = await session.scalars(
        select(AskTurn)
        .where(
            AskTurn.platform == platform,
            AskTurn.platform_user_id == user_id,
            AskTurn.chat_id == chat_id,
            AskTurn.created_at >= since,
            AskTurn.mode != PENDING,
        )
        .order_by(AskTurn.created_at.desc(), AskTurn.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


async def adopt_turns(session: AsyncSession, learner: Learner) -> None:
    """Turns asked before the learner existed become theirs (exported and forgotten with them)."""
    await session.execute(
        update(AskTurn)
        .where(
            AskTurn.learner_id.is_(None),
            AskTurn.platform == learner.platform,
            AskTurn.platform_user_id == learner.platform_user_id,
        )
        .values(learner_id=learner.id)
    )


async def record_turn(
    session: AsyncSession,
    *,
    learner: Learner | None,
    platform: str,
    user_id: str,
    chat_id: str,
    question: str,
    language: str,
    passages: list[dict[str, Any]],
    mode: str,
    answer: str,
    now: dt.datetime,
) -> AskTurn:
    turn = AskTurn(
        learner_id=learner.id if learner is not None else None,
        platform=platform,
        platform_user_id=user_id,
        chat_id=chat_id,
        question=question,
        answer=answer,
        mode=mode,
        language=language,
        passages=passages,
        created_at=now,
    )
    session.add(turn)
    await session.flush()
    return turn


async def finish_turn(
    sessions: async_sessionmaker[AsyncSession], turn_id: int, answer: str, mode: str
) -> None:
    """Store a streamed answer once it is complete (the message's transaction is long over)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(AskTurn).where(AskTurn.id == turn_id).values(answer=answer, mode=mode)
        )


async def set_feedback(
    session: AsyncSession, learner: Learner, turn_id: int, value: str, now: dt.datetime
) -> bool:
    turn = await session.get(AskTurn, turn_id)
    if turn is None or turn.learner_id != learner.id or value not in FEEDBACK_VALUES:
        return False
    turn.feedback = FEEDBACK_VALUES[value]
    turn.feedback_at = now
    return True


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_turns(session: AsyncSession, learner: Learner) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(AskTurn)
        .where(AskTurn.learner_id == learner.id)
        .order_by(AskTurn.created_at, AskTurn.id)
    )
    return [
        {
            "question": row.question,
            "answer": row.answer,
            "mode": row.mode,
            "language": row.language,
            "chat": row.chat_id,
            "passages": row.passages,
            "feedback": row.feedback,
            "feedback_at": _iso(row.feedback_at),
            "asked_at": _iso(row.created_at),
        }
        for row in rows
    ]
