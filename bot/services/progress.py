"""Where a learner is in their plan, computed from their local calendar. Pure functions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.db.models import Learner
from curriculum import Lesson, load_plan


def local_now(timezone: str, now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone))


def local_today(timezone: str, now: dt.datetime) -> dt.date:
    return local_now(timezone, now).date()


def plan_length(learner: Learner) -> int:
    assert learner.plan is not None
    return load_plan(learner.plan).length(learner.track)


def calendar_day(learner: Learner, today: dt.date) -> int:
    """The plan day the calendar has reached, past the plan's end too: one day per local
    calendar day, frozen while paused."""
    elapsed = 0
    if not learner.paused and learner.anchor_date is not None:
        elapsed = max(0, (today - learner.anchor_date).days)
    return max(1, learner.next_lesson_day + elapsed)


def current_day(learner: Learner, today: dt.date) -> int:
    """The plan day the learner is on (the last day once the plan is over)."""
    return min(calendar_day(learner, today), plan_length(learner))


def days_past_end(learner: Learner, today: dt.date) -> int:
    """0 while the plan runs; 1 on the first day after its last lesson, and so on."""
    return max(0, calendar_day(learner, today) - plan_length(learner))


def backlog_days(learner: Learner, today: dt.date, completed: set[int]) -> list[int]:
    """Days before today (the whole plan once it is over) whose lessons are not done, oldest
    first."""
    last_past = min(calendar_day(learner, today) - 1, plan_length(learner))
    return [day for day in range(1, last_past + 1) if day not in completed]


def current_lesson(learner: Learner, now: dt.datetime) -> Lesson:
    assert learner.plan is not None
    day = current_day(learner, local_today(learner.timezone, now))
    return load_plan(learner.plan).lesson_for(learner.track, day)


def freeze(learner: Learner, today: dt.date) -> None:
    """Pin the current day to today, e.g. before pausing or changing the timezone."""
    learner.next_lesson_day = current_day(learner, today)
    learner.anchor_date = today
