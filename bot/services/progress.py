"""Where a learner or a study group is in their plan, computed from their local calendar, and
the changes that move it (enrol, pause, resume, a new timezone). Pure functions."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from curriculum import Lesson, load_plan


class Enrolled(Protocol):
    """What progress, pushes and retrospectives need of a learner or a study group (both carry
    `bot.db.models.Enrolment`'s columns)."""

    plan: str | None
    track: str | None
    timezone: str
    start_date: dt.date | None
    next_lesson_day: int
    anchor_date: dt.date | None
    paused: bool
    active: bool


def local_now(timezone: str, now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone))


def local_today(timezone: str, now: dt.datetime) -> dt.date:
    return local_now(timezone, now).date()


def plan_length(subject: Enrolled) -> int:
    assert subject.plan is not None
    return load_plan(subject.plan).length(subject.track)


def calendar_day(subject: Enrolled, today: dt.date) -> int:
    """The plan day the calendar has reached, past the plan's end too: one day per local
    calendar day, frozen while paused."""
    elapsed = 0
    if not subject.paused and subject.anchor_date is not None:
        elapsed = max(0, (today - subject.anchor_date).days)
    return max(1, subject.next_lesson_day + elapsed)


def current_day(subject: Enrolled, today: dt.date) -> int:
    """The plan day they are on (the last day once the plan is over)."""
    return min(calendar_day(subject, today), plan_length(subject))


def days_past_end(subject: Enrolled, today: dt.date) -> int:
    """0 while the plan runs; 1 on the first day after its last lesson, and so on."""
    return max(0, calendar_day(subject, today) - plan_length(subject))


def backlog_days(subject: Enrolled, today: dt.date, completed: set[int]) -> list[int]:
    """Days before today (the whole plan once it is over) whose lessons are not done, oldest
    first."""
    last_past = min(calendar_day(subject, today) - 1, plan_length(subject))
    return [day for day in range(1, last_past + 1) if day not in completed]


def current_lesson(subject: Enrolled, now: dt.datetime) -> Lesson:
    assert subject.plan is not None
    day = current_day(subject, local_today(subject.timezone, now))
    return load_plan(subject.plan).lesson_for(subject.track, day)


def freeze(subject: Enrolled, today: dt.date) -> None:
    """Pin the current day to today, e.g. before pausing or changing the timezone."""
    subject.next_lesson_day = current_day(subject, today)
    subject.anchor_date = today


def enrol(subject: Enrolled, now: dt.datetime) -> None:
    """Start (or restart) the chosen plan at Day 1 on their local today."""
    today = local_today(subject.timezone, now)
    subject.start_date = today
    subject.anchor_date = today
    subject.next_lesson_day = 1
    subject.paused = False
    subject.active = True


def pause(subject: Enrolled, now: dt.datetime) -> bool:
    """Stop the day from advancing; False when already paused."""
    if subject.paused:
        return False
    freeze(subject, local_today(subject.timezone, now))
    subject.paused = True
    return True


def resume(subject: Enrolled, now: dt.datetime) -> bool:
    """Let the day advance again from today; False when not paused."""
    if not subject.paused:
        return False
    subject.paused = False
    subject.anchor_date = local_today(subject.timezone, now)
    return True


def move_timezone(subject: Enrolled, zone: str, now: dt.datetime) -> None:
    """A new timezone keeps the plan day they are on; only the local midnight moves."""
    if subject.start_date is not None and subject.plan is not None:
        freeze(subject, local_today(subject.timezone, now))
        subject.anchor_date = local_today(zone, now)
    subject.timezone = zone
