"""Study groups: the group row, its members, its leaderboard and group-quiz answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, LessonCompletion, ReviewLogRow
from bot.db.schedule_models import Group, GroupMember, GroupQuizAnswer

LEADERBOARD_SIZE = 10


async def find_group(session: AsyncSession, platform: str, chat_id: str) -> Group | None:
    return await session.scalar(
        select(Group).where(Group.platform == platform, Group.chat_id == chat_id)
    )


async def create_group(
    session: AsyncSession, platform: str, chat_id: str, title: str, language: str
) -> Group:
    group = Group(platform=platform, chat_id=chat_id, title=title[:128], language=language)
    session.add(group)
    await session.flush()
    return group


async def membership(session: AsyncSession, group: Group, learner: Learner) -> GroupMember | None:
    return await session.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.learner_id == learner.id
        )
    )


async def join(session: AsyncSession, group: Group, learner: Learner, now: dt.datetime) -> bool:
    """True when the learner joined now, False when already a member."""
    if await membership(session, group, learner) is not None:
        return False
    session.add(GroupMember(group_id=group.id, learner_id=learner.id, points=0, joined_at=now))
    await session.flush()
    return True


async def leave(session: AsyncSession, group: Group, learner: Learner) -> bool:
    member = await membership(session, group, learner)
    if member is None:
        return False
    await session.delete(member)
    await session.flush()
    return True


async def record_group_answer(
    session: AsyncSession,
    group: Group,
    learner: Learner,
    post_token: str,
    question_id: str,
    correct: bool,
    now: dt.datetime,
) -> bool:
    """One answer per member and posted question; False (nothing recorded) for a second one."""
    existing = await session.scalar(
        select(GroupQuizAnswer.id).where(
            GroupQuizAnswer.group_id == group.id,
            GroupQuizAnswer.post_token == post_token,
            GroupQuizAnswer.learner_id == learner.id,
        )
    )
    if existing is not None:
        return False
    session.add(
        GroupQuizAnswer(
            group_id=group.id,
            post_token=post_token,
            question_id=question_id,
            learner_id=learner.id,
            correct=correct,
            answered_at=now,
        )
    )
    member = await membership(session, group, learner)
    if member is None:
        member = GroupMember(group_id=group.id, learner_id=learner.id, points=0, joined_at=now)
        session.add(member)
    if correct:
        member.points += 1
    await session.flush()
    return True


@dataclass(frozen=True, slots=True)
class Standing:
    name: str
    reviews: int
    lessons: int
    points: int

    @property
    def score(self) -> int:
        # A lesson finished weighs like a short review session.
        return self.reviews + 5 * self.lessons + self.points


async def leaderboard(
    session: AsyncSession, group: Group, since: dt.datetime | None
) -> list[Standing]:
    """Members ranked by the period's reviews, lessons done and group-quiz points (right
    answers); `since` None ranks all time."""
    members = (
        await session.execute(
            select(Learner.id, Learner.display_name, GroupMember.points)
            .join(GroupMember, GroupMember.learner_id == Learner.id)
            .where(GroupMember.group_id == group.id)
        )
    ).all()
    if not members:
        return []
    ids = [row[0] for row in members]

    async def counts(learner: Any, moment: Any, *where: Any) -> dict[int, int]:
        query = select(learner, func.count()).where(learner.in_(ids), *where)
        if since is not None:
            query = query.where(moment >= since)
        return dict((await session.execute(query.group_by(learner))).all())

    reviews = await counts(ReviewLogRow.learner_id, ReviewLogRow.reviewed_at)
    lessons = await counts(LessonCompletion.learner_id, LessonCompletion.completed_at)
    if since is None:
        points = {learner_id: total for learner_id, _, total in members}
    else:
        points = await counts(
            GroupQuizAnswer.learner_id,
            GroupQuizAnswer.answered_at,
            GroupQuizAnswer.group_id == group.id,
            GroupQuizAnswer.correct.is_(True),
        )
    standings = [
        Standing(
            name or "?",
            int(reviews.get(learner_id, 0)),
            int(lessons.get(learner_id, 0)),
            int(points.get(learner_id, 0)),
        )
        for learner_id, name, _ in members
    ]
    return sorted(standings, key=lambda item: (-item.score, item.name))[:LEADERBOARD_SIZE]
