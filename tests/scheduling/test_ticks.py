"""A fake clock drives learners in many timezones through DST changes: each gets exactly one
daily push per local day, at (or, between two ticks, right after) their local push time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Learner
from bot.db.schedule_models import Delivery, Group
from bot.scheduling.outbox import enqueue_daily, enqueue_retros
from bot.scheduling.periods import QuietHours, iso_week

# Every UTC offset in use is a multiple of 15 minutes, so 15-minute ticks land exactly on local
# push times that are multiples of 15 minutes too (production ticks every minute).
TICK = dt.timedelta(minutes=15)
NO_QUIET = QuietHours(dt.time(0, 0), dt.time(0, 0))
PEOPLE = [
    # (timezone, push time): 02:30 does not exist in Los Angeles on 2026-03-08; 01:30 happens
    # twice there on 2026-11-01; London falls back on 2026-10-25; Chatham and St John's have
    # odd offsets; Kolkata has no DST at all.
    ("America/Los_Angeles", dt.time(2, 30)),
    ("America/Los_Angeles", dt.time(1, 30)),
    ("America/Los_Angeles", dt.time(8, 0)),
    ("Europe/London", dt.time(1, 30)),
    ("Europe/London", dt.time(7, 0)),
    ("Asia/Shanghai", dt.time(8, 0)),
    ("Asia/Kolkata", dt.time(23, 45)),
    ("Pacific/Chatham", dt.time(0, 15)),
    ("America/St_Johns", dt.time(12, 0)),
    ("Australia/Sydney", dt.time(2, 30)),
]


async def add_learners(app: App, start: dt.date) -> list[int]:
    ids = []
    async with app.sessions() as session, session.begin():
        for number, (zone, push_time) in enumerate(PEOPLE):
            learner = Learner(
                platform="console",
                platform_user_id=f"tz{number}",
                display_name=zone,
                language="en",
                timezone=zone,
                push_time=push_time,
                plan="llm-app-180",
                track=None,
                start_date=start,
                anchor_date=start,
                next_lesson_day=1,
                paused=False,
                active=True,
            )
            session.add(learner)
            await session.flush()
            ids.append(learner.id)
    return ids


async def run_clock(app: App, first: dt.datetime, last: dt.datetime) -> list[Delivery]:
    now, since = first, None
    while now <= last:
        async with app.sessions() as session, session.begin():
            await enqueue_daily(session, now, NO_QUIET, since)
        now, since = now + TICK, now
    async with app.sessions() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


WINDOWS = {
    "us-spring-forward": (
        dt.datetime(2026, 3, 7, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    ),
    "eu-fall-back": (
        dt.datetime(2026, 10, 24, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 27, tzinfo=dt.UTC),
    ),
    "us-fall-back": (
        dt.datetime(2026, 10, 31, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
    ),
}


@pytest.mark.parametrize(("first", "last"), list(WINDOWS.values()), ids=list(WINDOWS))
async def test_one_push_per_local_day_at_the_local_time(
    app: App, first: dt.datetime, last: dt.datetime
) -> None:
    ids = await add_learners(app, first.date() - dt.timedelta(days=1))
    deliveries = await run_clock(app, first, last)
    per_learner: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        per_learner[delivery.recipient_id].append(delivery)
    for learner_id, (zone, push_time) in zip(ids, PEOPLE, strict=True):
        zone_info = ZoneInfo(zone)
        rows = per_learner[learner_id]
        periods = [row.period for row in rows]
        assert len(periods) == len(set(periods)), f"{zone} {push_time}: a day pushed twice"
        # Every local day wholly inside the window got its push.
        first_local, last_local = first.astimezone(zone_info), last.astimezone(zone_info)
        day = first_local.date() + dt.timedelta(days=1)
        expected = set()
        while day < last_local.date():
            expected.add(day.isoformat())
            day += dt.timedelta(days=1)
        assert expected <= set(periods), (
            f"{zone} {push_time}: missing {sorted(expected - set(periods))}"
        )
        for row in rows:
            local = row.created_at.astimezone(zone_info)
            assert local.date().isoformat() == row.period
            if row.period not in expected:
                continue  # the clock started after that day's push time: a catch-up push
            wall = dt.datetime.combine(local.date(), push_time, tzinfo=zone_info)
            if _skipped(wall):
                # The push time fell into the hour a spring-forward skips: the first tick after it.
                assert local.time() == dt.time(3, 0) and local.date() == wall.date()
            else:
                # Exactly at the push time; when it happens twice (fall-back), the first time.
                assert row.created_at == wall.astimezone(dt.UTC)


def _skipped(wall: dt.datetime) -> bool:
    """True when this wall-clock time does not exist (the hour a spring-forward skips)."""
    utc = wall.astimezone(dt.UTC)
    return utc.astimezone(wall.tzinfo).replace(tzinfo=None) != wall.replace(tzinfo=None)


async def test_downtime_gives_one_push_for_today_not_a_burst(app: App) -> None:
    ids = await add_learners(app, dt.date(2026, 5, 1))
    before, after = (
        dt.datetime(2026, 5, 2, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 5, 5, 23, 59, tzinfo=dt.UTC),
    )
    async with app.sessions() as session, session.begin():
        await enqueue_daily(session, before, NO_QUIET)
    # The scheduler is down for three days; then one tick:
    async with app.sessions() as session, session.begin():
        await enqueue_daily(session, after, NO_QUIET)
    async with app.sessions() as session:
        rows = list(await session.scalars(select(Delivery)))
    for learner_id, (zone, push_time) in zip(ids, PEOPLE, strict=True):
        periods = sorted(row.period for row in rows if row.recipient_id == learner_id)
        local_after = after.astimezone(ZoneInfo(zone))
        # Only the local "today" of each tick can be pushed: the days in between are not caught up.
        allowed = {
            before.astimezone(ZoneInfo(zone)).date().isoformat(),
            local_after.date().isoformat(),
        }
        assert set(periods) <= allowed and len(periods) == len(set(periods))
        if local_after.time() >= push_time:
            assert local_after.date().isoformat() in periods


async def test_quiet_hours_defer_a_catch_up_push(app: App) -> None:
    quiet = QuietHours(dt.time(23, 0), dt.time(7, 0))
    async with app.sessions() as session, session.begin():
        learner = Learner(
            platform="console",
            platform_user_id="q",
            display_name="q",
            language="en",
            timezone="Asia/Shanghai",
            push_time=dt.time(22, 0),
            plan="llm-app-180",
            start_date=dt.date(2026, 5, 1),
            anchor_date=dt.date(2026, 5, 1),
        )
        session.add(learner)
    # The scheduler was down at 22:00 and comes back at 23:30 Shanghai time, inside quiet hours.
    at_two_am = dt.datetime(2026, 5, 2, 15, 30, tzinfo=dt.UTC)
    async with app.sessions() as session, session.begin():
        assert await enqueue_daily(session, at_two_am, quiet) == 1
    async with app.sessions() as session:
        row = await session.scalar(select(Delivery))
    assert row is not None and row.period == "2026-05-02"
    assert row.next_attempt_at == dt.datetime(2026, 5, 2, 23, 0, tzinfo=dt.UTC)  # 07:00 local


async def test_paused_inactive_and_unenrolled_recipients_get_nothing(app: App) -> None:
    async with app.sessions() as session, session.begin():
        for name, paused, active, plan in (
            ("p", True, True, "llm-app-180"),
            ("i", False, False, "llm-app-180"),
            ("n", False, True, None),
        ):
            session.add(
                Learner(
                    platform="console",
                    platform_user_id=name,
                    display_name=name,
                    language="en",
                    timezone="UTC",
                    push_time=dt.time(8),
                    plan=plan,
                    paused=paused,
                    active=active,
                    start_date=dt.date(2026, 5, 1) if plan else None,
                    anchor_date=dt.date(2026, 5, 1),
                )
            )
    async with app.sessions() as session, session.begin():
        assert (
            await enqueue_daily(session, dt.datetime(2026, 5, 2, 12, tzinfo=dt.UTC), NO_QUIET) == 0
        )


async def test_weekly_retrospective_once_per_week_on_the_chosen_day(app: App) -> None:
    async with app.sessions() as session, session.begin():
        session.add(
            Learner(
                platform="console",
                platform_user_id="r",
                display_name="r",
                language="en",
                timezone="America/Los_Angeles",
                push_time=dt.time(8),
                plan="llm-app-180",
                start_date=dt.date(2026, 3, 1),
                anchor_date=dt.date(2026, 3, 1),
            )
        )
        session.add(
            Group(
                platform="console",
                chat_id="g",
                title="g",
                timezone="Asia/Shanghai",
                plan="llm-app-180",
                start_date=dt.date(2026, 3, 1),
                anchor_date=dt.date(2026, 3, 1),
                retro_weekday=4,
                retro_time=dt.time(18, 0),
            )
        )
    now = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
    while now < dt.datetime(2026, 3, 16, 6, 0, tzinfo=dt.UTC):
        async with app.sessions() as session, session.begin():
            await enqueue_retros(session, now)
        now += dt.timedelta(minutes=30)
    async with app.sessions() as session:
        rows = list(await session.scalars(select(Delivery).order_by(Delivery.created_at)))
    learner_rows = [row for row in rows if row.recipient_type == "learner"]
    group_rows = [row for row in rows if row.recipient_type == "group"]
    la, sh = ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Shanghai")
    assert [row.period for row in learner_rows] == [
        iso_week(dt.date(2026, 3, 1)),
        iso_week(dt.date(2026, 3, 8)),
        iso_week(dt.date(2026, 3, 15)),
    ]
    for row in learner_rows:
        local = row.created_at.astimezone(la)
        assert local.weekday() == 6 and dt.time(20, 0) <= local.time() < dt.time(20, 30)
    assert len(group_rows) == 2
    for row in group_rows:
        local = row.created_at.astimezone(sh)
        assert local.weekday() == 4 and dt.time(18, 0) <= local.time() < dt.time(18, 30)


async def test_a_second_scheduler_enqueuing_the_same_pushes_inserts_nothing(app: App) -> None:
    """The unique key, not the learners' bookkeeping, is the guarantee: a tick whose marks were
    lost (another scheduler's transaction, a crash between insert and mark) adds no row."""
    ids = await add_learners(app, dt.date(2026, 5, 1))
    now = dt.datetime(2026, 5, 2, 23, 59, tzinfo=dt.UTC)
    async with app.sessions() as session, session.begin():
        first = await enqueue_daily(session, now, NO_QUIET)
    assert first > 0
    async with app.sessions() as session, session.begin():
        for learner in await session.scalars(select(Learner).where(Learner.id.in_(ids))):
            learner.last_daily_period = None
    async with app.sessions() as session, session.begin():
        assert await enqueue_daily(session, now, NO_QUIET) == 0
    async with app.sessions() as session:
        assert len(list(await session.scalars(select(Delivery)))) == first
