"""What operators do (`/admin ...` in a chat, `tutorbot admin ...` on the server): figures about
the bot, announcements to everyone through the outbox, the question banks re-imported."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, QuestionRow, ReviewLogRow
from bot.db.schedule_models import PENDING, Broadcast, Delivery, Group
from bot.scheduling import outbox
from bot.services.bank_import import ImportReport, checked_bank_questions, import_questions

BROADCAST_KIND = "broadcast:"
MAX_BROADCAST_CHARS = 3500
# Console learners live in a local chat, not on a platform a dispatcher delivers to.
UNREACHABLE_PLATFORMS = ("console",)


def is_admin(admins: frozenset[str], platform: str, user_id: str) -> bool:
    return f"{platform}:{user_id}" in admins


@dataclass(frozen=True)
class Stats:
    learners: int
    active_learners: int
    enrolled_learners: int
    groups: int
    reviews_last_day: int
    questions: int
    outbox: dict[str, int]  # rows by state


async def stats(session: AsyncSession, now: dt.datetime) -> Stats:
    async def count(query: Select[Any]) -> int:
        return int(await session.scalar(query) or 0)

    learners = select(func.count()).select_from(Learner)
    states = await session.execute(
        select(Delivery.state, func.count()).group_by(Delivery.state).order_by(Delivery.state)
    )
    return Stats(
        learners=await count(learners),
        active_learners=await count(learners.where(Learner.active.is_(True))),
        enrolled_learners=await count(
            learners.where(Learner.active.is_(True), Learner.plan.is_not(None))
        ),
        groups=await count(select(func.count()).select_from(Group).where(Group.active.is_(True))),
        reviews_last_day=await count(
            select(func.count())
            .select_from(ReviewLogRow)
            .where(ReviewLogRow.reviewed_at > now - dt.timedelta(days=1))
        ),
        questions=await count(
            select(func.count()).select_from(QuestionRow).where(QuestionRow.retired.is_(False))
        ),
        outbox={state: int(number) for state, number in states.all()},
    )


async def broadcast(session: AsyncSession, text: str, sender: str, now: dt.datetime) -> int:
    """Store the text and enqueue one delivery of it per active learner and group; the
    dispatchers send them at the platforms' rates. The number of deliveries enqueued."""
    row = Broadcast(text=text, sender=sender, created_at=now)
    session.add(row)
    await session.flush()
    recipients: list[outbox.Recipient] = []
    for model, kind, chat in outbox.RECIPIENTS:
        rows = await session.execute(
            select(model.id, model.platform, chat).where(
                model.active.is_(True), model.platform.not_in(UNREACHABLE_PLATFORMS)
            )
        )
        recipients += [
            outbox.Recipient(kind, id_, platform, chat_id, now) for id_, platform, chat_id in rows
        ]
    return await outbox.insert_rows(
        session, f"{BROADCAST_KIND}{row.id}", f"b{row.id}", recipients, now
    )


async def broadcast_text(session: AsyncSession, kind: str) -> str | None:
    """The text of a `broadcast:<id>` delivery, None if it is not one (or is gone)."""
    if not kind.startswith(BROADCAST_KIND):
        return None
    row = await session.get(Broadcast, int(kind.removeprefix(BROADCAST_KIND)))
    return row.text if row is not None else None


async def pending_broadcasts(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.state == PENDING, Delivery.kind.startswith(BROADCAST_KIND))
        )
        or 0
    )


async def import_banks(session: AsyncSession) -> ImportReport:
    """The question bank files into the database, as `tutorbot bank import` does (raises
    `BanksRefused` when they break a rule)."""
    return await import_questions(session, await asyncio.to_thread(checked_bank_questions))
