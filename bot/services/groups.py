"""Study groups: the group row, its members, its leaderboard and group-quiz answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


async def leaderboard(session: AsyncSession, group: Group, since: dt.datetime) -> list[Standing]:
    """Members ranked by this period's reviews, lessons done and group-quiz points."""
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
    reviews = dict(
        (
            await session.execute(
                select(ReviewLogRow.learner_id, func.count())
                .where(ReviewLogRow.learner_id.in_(ids), ReviewLogRow.reviewed_at >= since)
                .group_by(ReviewLogRow.learner_id)
            )
        ).all()
    )
    lessons = dict(
        (
            await session.execute(
                select(LessonCompletion.learner_id, func.count())
                .where(LessonCompletion.learner_id.in_(ids), LessonCompletion.completed_at >= since)
                .group_by(LessonCompletion.learner_id)
            )
        ).all()
    )
    standings = [
        Standing(
            name or "?",
            int(reviews.get(learner_id, 0)),
            int(lessons.get(learner_id, 0)),
            int(points),
        )
        for learner_id, name, points in members
    ]
    return sorted(standings, key=lambda item: (-item.score, item.name))[:LEADERBOARD_SIZE]
