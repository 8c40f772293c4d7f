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
from bot.db.schedule_models import Delivery, Group, GroupMember, GroupQuizAnswer
from bot.services.ask import export_turns

EXPORT_FORMAT = "tutorbot-export/1"

# Every table with rows about a learner, and the key of the export that holds them. /forget
# deletes the same rows; a test walks the models so that a new table cannot be left out.
LEARNER_TABLES = {
    "learners": "learner",
    "lesson_completions": "lesson_completions",
    "cards": "cards",
    "review_logs": "review_logs",
    "quiz_sessions": "quiz_sessions",
    "ask_turns": "ask_turns",
    "button_menus": "button_menus",
    "deliveries": "deliveries",
    "group_members": "group_memberships",
    "group_quiz_answers": "group_quiz_answers",
}


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
        **await _groups_and_pushes(session, learner),
    }


async def _groups_and_pushes(session: AsyncSession, learner: Learner) -> dict[str, Any]:
    deliveries = await session.scalars(
        select(Delivery)
        .where(Delivery.recipient_type == "learner", Delivery.recipient_id == learner.id)
        .order_by(Delivery.created_at, Delivery.id)
    )
    memberships = await session.execute(
        select(GroupMember, Group)
        .join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.learner_id == learner.id)
        .order_by(GroupMember.joined_at, GroupMember.id)
    )
    answers = await session.execute(
        select(GroupQuizAnswer, Group)
        .join(Group, Group.id == GroupQuizAnswer.group_id)
        .where(GroupQuizAnswer.learner_id == learner.id)
        .order_by(GroupQuizAnswer.answered_at, GroupQuizAnswer.id)
    )
    return {
        "deliveries": [
            {
                "kind": row.kind,
                "period": row.period,
                "platform": row.platform,
                "chat": row.chat_id,
                "state": row.state,
                "attempts": row.attempts,
                "created_at": _iso(row.created_at),
                "sent_at": _iso(row.sent_at),
            }
            for row in deliveries
        ],
        "group_memberships": [
            {
                "group": group.title,
                "platform": group.platform,
                "chat": group.chat_id,
                "points": member.points,
                "joined_at": _iso(member.joined_at),
            }
            for member, group in memberships
        ],
        "group_quiz_answers": [
            {
                "group": group.title,
                "question": answer.question_id,
                "correct": answer.correct,
                "answered_at": _iso(answer.answered_at),
            }
            for answer, group in answers
        ],
    }
