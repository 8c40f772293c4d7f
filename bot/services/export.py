"""Everything tutorbot stores about one learner, as a JSON-ready document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ButtonMenu,
    CardRow,
    Learner,
    LessonCompletion,
    QuizSessionRow,
    ReviewLogRow,
)
from bot.services.ask import export_turns

EXPORT_FORMAT = "tutorbot-export/1"


def _iso(value: dt.date | dt.time | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_learner(
    session: AsyncSession, learner: Learner, now: dt.datetime
) -> dict[str, Any]:
    completions = await session.scalars(
        select(LessonCompletion)
        .where(LessonCompletion.learner_id == learner.id)
        .order_by(LessonCompletion.completed_at, LessonCompletion.id)
    )
    menus = await session.scalars(
        select(ButtonMenu)
        .where(ButtonMenu.learner_id == learner.id)
        .order_by(ButtonMenu.created_at)
    )
    cards = await session.scalars(
        select(CardRow).where(CardRow.learner_id == learner.id).order_by(CardRow.id)
    )
    logs = await session.scalars(
        select(ReviewLogRow)
        .where(ReviewLogRow.learner_id == learner.id)
        .order_by(ReviewLogRow.reviewed_at, ReviewLogRow.id)
    )
    quiz_runs = await session.scalars(
        select(QuizSessionRow)
        .where(QuizSessionRow.learner_id == learner.id)
        .order_by(QuizSessionRow.id)
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "learner": {
            "platform": learner.platform,
            "platform_user_id": learner.platform_user_id,
            "display_name": learner.display_name,
            "language": learner.language,
            "timezone": learner.timezone,
            "push_time": learner.push_time.strftime("%H:%M"),
            "plan": learner.plan,
            "track": learner.track,
            "start_date": _iso(learner.start_date),
            "next_lesson_day": learner.next_lesson_day,
            "anchor_date": _iso(learner.anchor_date),
            "paused": learner.paused,
            "active": learner.active,
            "created_at": _iso(learner.created_at),
            "updated_at": _iso(learner.updated_at),
        },
        "lesson_completions": [
            {
                "lesson": row.lesson_key,
                "plan": row.plan,
                "day": row.day,
                "completed_at": _iso(row.completed_at),
            }
            for row in completions
        ],
        "quiz_settings": {
            "new_per_day": learner.new_per_day,
            "reviews_per_day": learner.reviews_per_day,
            "desired_retention": learner.desired_retention,
            "fsrs_parameters": learner.fsrs_parameters,
        },
        "cards": [
            {
                "question": row.question_id,
                "lesson": row.lesson_key,
                "fsrs_card": row.fsrs_card,
                "lapses": row.lapses,
                "suspended": row.suspended,
                "created_at": _iso(row.created_at),
            }
            for row in cards
        ],
        "review_logs": [
            {
                "card_id": row.card_id,
                "rating": row.rating,
                "reviewed_at": _iso(row.reviewed_at),
                "duration_ms": row.duration_ms,
                "correct": row.correct,
            }
            for row in logs
        ],
        "quiz_sessions": [
            {
                "mode": row.mode,
                "scope": row.scope,
                "questions": row.queue,
                "answered": row.answered,
                "correct": row.correct,
                "started_at": _iso(row.started_at),
                "finished_at": _iso(row.finished_at),
            }
            for row in quiz_runs
        ],
        "ask_turns": await export_turns(session, learner),
        "button_menus": [
            {
                "flow": row.flow,
                "actions": row.actions,
                "created_at": _iso(row.created_at),
                "used_at": _iso(row.used_at),
            }
            for row in menus
        ],
    }
