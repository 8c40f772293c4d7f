"""Display names of plans and tracks, translated through the catalogs."""

from __future__ import annotations

from bot.core.i18n import N_, Translate

PLAN_NAMES = {
    "ai-fullstack-100": N_("AI Full-Stack Engineer · 100 days"),
    "llm-app-180": N_("LLM Application Developer · 180 days"),
}

TRACK_NAMES = {
    "app": N_("LLM Application Engineer"),
    "algo": N_("LLM Algorithm Engineer"),
    "fde": N_("FDE (Foundation Development Engineer)"),
}

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

# Offered as buttons; any other IANA name can be typed.
COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)

COMMON_PUSH_TIMES = ("07:00", "08:00", "12:30", "19:00", "21:00")


def plan_name(plan_id: str | None, _: Translate) -> str:
    return _(PLAN_NAMES[plan_id]) if plan_id in PLAN_NAMES else "—"


def track_name(track_id: str | None, _: Translate) -> str:
    return _(TRACK_NAMES[track_id]) if track_id in TRACK_NAMES else "—"
