"""Retrospective weeks are local: seven calendar days ending on the chosen weekday."""

from __future__ import annotations

import datetime as dt

from bot.services.retros import local_week, week_ending

SUNDAY = dt.date(2026, 3, 8)


def test_the_week_that_ended_and_the_week_in_progress() -> None:
    assert week_ending(SUNDAY, 6, upcoming=False) == SUNDAY
    assert week_ending(SUNDAY, 6, upcoming=True) == SUNDAY
    monday = SUNDAY + dt.timedelta(days=1)
    assert week_ending(monday, 6, upcoming=False) == SUNDAY
    assert week_ending(monday, 6, upcoming=True) == SUNDAY + dt.timedelta(days=7)
    wednesday = dt.date(2026, 3, 4)
    assert week_ending(wednesday, 2, upcoming=False) == wednesday
    assert week_ending(wednesday, 4, upcoming=False) == dt.date(2026, 2, 27)
    assert week_ending(wednesday, 4, upcoming=True) == dt.date(2026, 3, 6)


def test_local_week_bounds_follow_the_timezone_and_dst() -> None:
    week = local_week("Asia/Shanghai", SUNDAY)
    assert week.iso == "2026-W10" and week.first == dt.date(2026, 3, 2)
    assert week.start == dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)
    assert week.end == dt.datetime(2026, 3, 8, 16, 0, tzinfo=dt.UTC)
    assert len(week.dates) == 7 and week.dates[-1] == SUNDAY
    # Los Angeles springs forward on 2026-03-08: that week is an hour shorter.
    pacific = local_week("America/Los_Angeles", SUNDAY)
    assert pacific.start == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert pacific.end == dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC)
