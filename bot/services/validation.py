"""Parsing of what learners type: timezones, daily times, typed settings. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from enum import Enum
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


class Problem(Enum):
    """Why a typed setting was refused."""

    UNKNOWN_SETTING = "unknown setting"
    BAD_TIMEZONE = "bad timezone"
    BAD_TIME = "bad time"
    BAD_LANGUAGE = "bad language"


# What `/settings NAME VALUE` may name, and the choice kind it sets.
SETTING_NAMES = {
    "timezone": "tz",
    "tz": "tz",
    "time": "time",
    "language": "lang",
    "lang": "lang",
}


def parse_setting(name: str, value: str, languages: Collection[str]) -> tuple[str, str] | Problem:
    """A typed setting as the (kind, value) a settings button would carry: ("tz", an IANA name),
    ("time", "HH:MM") or ("lang", a code in `languages`)."""
    kind = SETTING_NAMES.get(name.lower())
    if kind == "tz":
        zone = parse_timezone(value)
        return ("tz", zone) if zone is not None else Problem.BAD_TIMEZONE
    if kind == "time":
        moment = parse_push_time(value)
        return ("time", moment.strftime("%H:%M")) if moment is not None else Problem.BAD_TIME
    if kind == "lang":
        code = value.strip().lower()
        return ("lang", code) if code in languages else Problem.BAD_LANGUAGE
    return Problem.UNKNOWN_SETTING
