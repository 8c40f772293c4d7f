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


def current_day(learner: Learner, today: dt.date) -> int:
    """The plan day the learner is on: one day per local calendar day, frozen while paused."""
    elapsed = 0
    if not learner.paused and learner.anchor_date is not None:
        elapsed = max(0, (today - learner.anchor_date).days)
    return max(1, min(learner.next_lesson_day + elapsed, plan_length(learner)))


def current_lesson(learner: Learner, now: dt.datetime) -> Lesson:
    assert learner.plan is not None
    day = current_day(learner, local_today(learner.timezone, now))
    return load_plan(learner.plan).lesson_for(learner.track, day)


def freeze(learner: Learner, today: dt.date) -> None:
    """Pin the current day to today, e.g. before pausing or changing the timezone."""
    learner.next_lesson_day = current_day(learner, today)
    learner.anchor_date = today
