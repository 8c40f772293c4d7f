"""Learner records: lookup, creation, enrolment and deletion."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner
from bot.db.schedule_models import Delivery
from bot.services.validation import parse_push_time
from bot.settings import LearnerDefaults

MAX_DISPLAY_NAME = 128


async def find_learner(session: AsyncSession, platform: str, user_id: str) -> Learner | None:
    return await session.scalar(
        select(Learner).where(Learner.platform == platform, Learner.platform_user_id == user_id)
    )


async def create_learner(
    session: AsyncSession,
    platform: str,
    user_id: str,
    display_name: str,
    language: str,
    defaults: LearnerDefaults,
) -> Learner:
    learner = Learner(
        platform=platform,
        platform_user_id=user_id,
        display_name=display_name[:MAX_DISPLAY_NAME],
        language=language,
        timezone=defaults.timezone,
        push_time=parse_push_time(defaults.push_time) or dt.time(8, 0),
        next_lesson_day=1,
        paused=False,
        active=True,
    )
    session.add(learner)
    await session.flush()
    return learner


async def mark_inactive(session: AsyncSession, platform: str, user_id: str) -> bool:
    """The user blocked the bot: stop scheduling pushes to them. False when there is no such
    learner."""
    learner = await find_learner(session, platform, user_id)
    if learner is None:
        return False
    learner.active = False
    return True


async def delete_learner(session: AsyncSession, learner: Learner) -> None:
    # The outbox names its recipient without a foreign key (a learner or a group), so its rows
    # go first; rows that reference the learner go with it (ON DELETE CASCADE).
    await session.execute(
        delete(Delivery).where(
            Delivery.recipient_type == "learner", Delivery.recipient_id == learner.id
        )
    )
    await session.execute(delete(Learner).where(Learner.id == learner.id))
