"""Parsing of what learners type: timezones and daily times. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_TIME = re.compile(r"^(\d{1,2})[:：.](\d{2})$")


def _fold(text: str) -> str:
    # Full-width digits and colons are common from Chinese input methods.
    return unicodedata.normalize("NFKC", text).strip()


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(text: str) -> str | None:
    """An IANA name (case-insensitive), or None if there is no such zone."""
    candidate = _fold(text).replace(" ", "_")
    if not candidate or len(candidate) > 64:
        return None
    name = _zones_by_lower_name().get(candidate.lower())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def parse_push_time(text: str) -> dt.time | None:
    """`HH:MM` on a 24-hour clock; anything else (like `25:99`) is None."""
    match = _TIME.match(_fold(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)
