"""Local periods and quiet hours. Pure functions of the clock and the recipient's timezone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: dt.time  # e.g. 23:00
    end: dt.time  # e.g. 07:00 (the window may wrap past midnight)

    def contains(self, moment: dt.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def not_before(self, local_now: dt.datetime, chosen: dt.time) -> dt.datetime:
        """When a push may go out: now, unless now is in quiet hours the recipient did not choose
        (a catch-up after downtime at 02:00, say); then at the end of the quiet window."""
        if not self.contains(local_now.time()) or self.contains(chosen):
            return local_now
        end = local_now.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local_now:
            end += dt.timedelta(days=1)
        # Re-localise so that a DST change inside the window lands on the right wall-clock time.
        zone = local_now.tzinfo
        assert isinstance(zone, ZoneInfo)
        return dt.datetime.combine(end.date(), end.time(), tzinfo=zone)
