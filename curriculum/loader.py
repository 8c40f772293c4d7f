"""Plan lookup by id, parsed once per process."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from . import fullstack, llmapp
from .errors import UnknownPlan
from .model import Lesson, Plan

DATA_DIR = Path(__file__).resolve().parent / "data"
_PARSERS: dict[str, Callable[[str, Path], Plan]] = {
    "ai-fullstack-100": fullstack.parse,
    "llm-app-180": llmapp.parse,
}
PLAN_IDS: tuple[str, ...] = tuple(_PARSERS)


@cache
def load_plan(plan_id: str) -> Plan:
    parser = _PARSERS.get(plan_id)
    if parser is None:
        raise UnknownPlan(f"unknown plan {plan_id!r}; known: {', '.join(PLAN_IDS)}")
    return parser(plan_id, DATA_DIR / f"{plan_id}.md")


def lesson_for(plan_id: str, track: str | None, day: int) -> Lesson:
    return load_plan(plan_id).lesson_for(track, day)
