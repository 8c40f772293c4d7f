"""The delivery outbox: ticks enqueue one row per (recipient, kind, period); dispatchers claim,
send and mark them. A row is never lost: a crash leaves it `sending` until its lease runs out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Learner
from bot.db.schedule_models import DEAD, FAILED, PENDING, SENDING, SENT, Delivery, Group
from bot.scheduling.periods import QuietHours, iso_week

DAILY, RETRO = "daily", "retro"
LEARNER, GROUP = "learner", "group"
# Who gets pushes: the table, the outbox's recipient type, and the column holding the chat id.
RECIPIENTS: tuple[tuple[type[Learner] | type[Group], str, InstrumentedAttribute[str]], ...] = (
    (Learner, LEARNER, Learner.platform_user_id),
    (Group, GROUP, Group.chat_id),
)
MAX_ATTEMPTS = 8
# Exponential backoff for network errors: 30 s, 1 min, 2 min ... capped at one hour.
BASE_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Recipient:
    type: str
    id: int
    platform: str
    chat_id: str
    not_before: dt.datetime


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = cast(Table, Delivery.__table__)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# Ids per UPDATE when marking recipients enqueued: a start-up tick may mark a whole day's
# recipients at once, and PostgreSQL's protocol allows at most 32,767 parameters per statement.
CHUNK = 1_000


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


async def insert_rows(
    session: AsyncSession, kind: str, period: str, recipients: Sequence[Recipient], now: dt.datetime
) -> int:
    """Insert one pending delivery per recipient; the count actually inserted."""
    if not recipients:
        return 0
    rows = [
        {
            "recipient_type": recipient.type,
            "recipient_id": recipient.id,
            "platform": recipient.platform,
            "chat_id": recipient.chat_id,
            "kind": kind,
            "period": period,
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": recipient.not_before,
            "created_at": now,
        }
        for recipient in recipients
    ]
    # The unique key is the guarantee: a second tick, or a second scheduler, inserts nothing.
    # One statement executed for many rows (compiled once; SQLAlchemy batches it into multi-row
    # INSERTs) rather than a VALUES list per chunk, whose compilation cost 0.2 s per 1,000 rows.
    statement = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["recipient_type", "recipient_id", "kind", "period"])
        .returning(Delivery.__table__.c.id)
    )
    result = await session.execute(statement, rows)
    return len(result.all())


async def _mark_enqueued(
    session: AsyncSession, model: type[Learner] | type[Group], ids: Sequence[int], **values: Any
) -> None:
    for chunk in _chunks(ids):
        await session.execute(update(model).where(model.id.in_(list(chunk))).values(**values))


def _schedulable(model: type[Learner] | type[Group]) -> Any:
    return and_(
        model.active.is_(True),
        model.paused.is_(False),
        model.plan.is_not(None),
        model.start_date.is_not(None),
    )


async def _timezones(session: AsyncSession, model: type[Learner] | type[Group]) -> list[str]:
    return list(await session.scalars(select(model.timezone).where(_schedulable(model)).distinct()))


def _window(
    model: type[Learner] | type[Group], column: Any, local: dt.datetime, since: dt.datetime | None
) -> Any:
    """Times of day that came due since the previous tick: (since, now] on today's local clock.
    Without a previous tick on the same local date (start-up, downtime), all of today so far."""
    upper = column <= local.time()
    if since is None:
        return upper
    previous = since.astimezone(local.tzinfo)
    if previous.date() != local.date():
        return upper
    return and_(column > previous.time(), upper)


async def enqueue_daily(
    session: AsyncSession, now: dt.datetime, quiet: QuietHours, since: dt.datetime | None = None
) -> int:
    """Today's lesson push for every recipient whose local push time has come. After downtime
    this is still one push for today: earlier days are never caught up. `since` is the previous
    tick: only push times after it are looked at (the per-day period check stays as a guard)."""
    added = 0
    for model, kind, chat in RECIPIENTS:
        for zone in await _timezones(session, model):
            local = now.astimezone(ZoneInfo(zone))
            today = local.date()
            due = and_(
                _schedulable(model),
                model.timezone == zone,
                _window(model, model.push_time, local, since),
                or_(model.last_daily_period.is_(None), model.last_daily_period < today),
            )
            rows = (
                await session.execute(
                    select(model.id, model.platform, chat, model.push_time).where(due)
                )
            ).all()
            recipients = [
                Recipient(
                    kind,
                    row_id,
                    platform,
                    chat_id,
                    quiet.not_before(local, push_time).astimezone(dt.UTC),
                )
                for row_id, platform, chat_id, push_time in rows
            ]
            added += await insert_rows(session, DAILY, today.isoformat(), recipients, now)
            await _mark_enqueued(
                session, model, [recipient.id for recipient in recipients], last_daily_period=today
            )
    return added


async def enqueue_retros(
    session: AsyncSession, now: dt.datetime, since: dt.datetime | None = None
) -> int:
    """The weekly retrospective on the recipient's chosen weekday, once their time has come."""
    added = 0
    for model, kind, chat in RECIPIENTS:
        for zone in await _timezones(session, model):
            local = now.astimezone(ZoneInfo(zone))
            week = iso_week(local.date())
            due = and_(
                _schedulable(model),
                model.timezone == zone,
                model.retro_weekday == local.weekday(),
                _window(model, model.retro_time, local, since),
                or_(model.last_retro_period.is_(None), model.last_retro_period != week),
            )
            rows = (await session.execute(select(model.id, model.platform, chat).where(due))).all()
            recipients = [
                Recipient(kind, row_id, platform, chat_id, now)
                for row_id, platform, chat_id in rows
            ]
            added += await insert_rows(session, RETRO, week, recipients, now)
            await _mark_enqueued(
                session, model, [recipient.id for recipient in recipients], last_retro_period=week
            )
    return added


async def claim(
    session: AsyncSession,
    worker: str,
    now: dt.datetime,
    limit: int,
    platforms: Sequence[str],
    chat_id: str | None = None,
) -> list[Delivery]:
    """Take up to `limit` due rows for this worker (only those of `chat_id` when given: a
    console serves one person). On PostgreSQL, rows another dispatcher holds are skipped
    (FOR UPDATE SKIP LOCKED), so several dispatchers share one outbox."""
    conditions = [
        Delivery.state.in_((PENDING, FAILED)),
        Delivery.next_attempt_at <= now,
        Delivery.platform.in_(list(platforms)),
    ]
    if chat_id is not None:
        conditions.append(Delivery.chat_id == chat_id)
    query = (
        select(Delivery)
        .where(*conditions)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        row.state, row.claimed_by, row.claimed_at = SENDING, worker, now
        row.attempts += 1
    await session.flush()
    return rows


async def recover_abandoned(session: AsyncSession, now: dt.datetime, lease: dt.timedelta) -> int:
    """Rows a dead dispatcher left `sending` go back to pending once their lease has run out."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.state == SENDING, Delivery.claimed_at < now - lease)
        .values(state=PENDING, claimed_by=None, next_attempt_at=now)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


async def mark_sent(session: AsyncSession, delivery_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(state=SENT, sent_at=now, last_error=None)
    )


def backoff(attempts: int) -> dt.timedelta:
    return min(MAX_BACKOFF, BASE_BACKOFF * (2 ** max(0, attempts - 1)))


async def mark_failed(
    session: AsyncSession,
    delivery: Delivery,
    error: str,
    now: dt.datetime,
    retry_after: float | None = None,
) -> str:
    """Retry later (the platform's retry_after when it gave one), or give up after MAX_ATTEMPTS."""
    if delivery.attempts >= MAX_ATTEMPTS:
        state, next_at = DEAD, now
    else:
        wait = (
            dt.timedelta(seconds=retry_after)
            if retry_after is not None
            else backoff(delivery.attempts)
        )
        state, next_at = FAILED, now + wait
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id)
        .values(state=state, next_attempt_at=next_at, last_error=error[:500], claimed_by=None)
    )
    return state


async def mark_dead(session: AsyncSession, delivery_id: int, error: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(state=DEAD, last_error=error[:500], claimed_by=None)
    )
