"""Bank coverage: how many questions per plan, track, lesson, kind, difficulty and provenance,
and which lessons a learner meets with too few questions to review."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TypeVar

from curriculum import PLAN_IDS, Lesson, load_plan

from .model import Question

__all__ = ["MIN_PER_LESSON", "BankStats", "bank_stats", "format_stats", "learner_lessons"]

MIN_PER_LESSON = 3
T = TypeVar("T", str, int)


@dataclass(frozen=True)
class BankStats:
    total: int
    by_plan: dict[str, int]
    by_track: dict[str, int]  # "plan/track-or-common"
    by_lesson: dict[str, int]
    by_kind: dict[str, int]
    by_difficulty: dict[int, int]
    by_provenance: dict[str, int]
    thin_lessons: tuple[tuple[str, int], ...]  # (lesson key, questions) in learner order
    minimum: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_plan": self.by_plan,
            "by_track": self.by_track,
            "by_lesson": self.by_lesson,
            "by_kind": self.by_kind,
            "by_difficulty": {str(level): count for level, count in self.by_difficulty.items()},
            "by_provenance": self.by_provenance,
            "minimum": self.minimum,
            "thin_lessons": [{"lesson": key, "questions": n} for key, n in self.thin_lessons],
        }


def learner_lessons(plan_id: str) -> list[Lesson]:
    """Every lesson some learner of the plan meets, each once, in sequence order."""
    plan = load_plan(plan_id)
    seen: dict[str, Lesson] = {}
    for track in plan.track_ids() or (None,):
        for lesson in plan.lessons_for(track):
            seen.setdefault(lesson.key, lesson)
    return list(seen.values())


def bank_stats(
    questions: Sequence[Question],
    minimum: int = MIN_PER_LESSON,
    plans: Iterable[str] = PLAN_IDS,
) -> BankStats:
    by_lesson = Counter(question.lesson_key for question in questions)
    thin = tuple(
        (lesson.key, by_lesson[lesson.key])
        for plan in plans
        for lesson in learner_lessons(plan)
        if by_lesson[lesson.key] < minimum
    )
    return BankStats(
        total=len(questions),
        by_plan=_counted(questions, lambda q: q.plan),
        by_track=_counted(questions, lambda q: f"{q.plan}/{q.track or 'common'}"),
        by_lesson=_counted(questions, lambda q: q.lesson_key),
        by_kind=_counted(questions, lambda q: str(q.kind)),
        by_difficulty=_counted(questions, lambda q: q.difficulty),
        by_provenance=_counted(questions, lambda q: q.provenance),
        thin_lessons=thin,
        minimum=minimum,
    )


def _counted(questions: Sequence[Question], key: Callable[[Question], T]) -> dict[T, int]:
    return dict(sorted(Counter(map(key, questions)).items()))


def format_stats(stats: BankStats) -> str:
    lines = [f"{stats.total} questions"]
    for title, counts in (
        ("plan", stats.by_plan),
        ("plan/track", stats.by_track),
        ("kind", stats.by_kind),
        ("difficulty", stats.by_difficulty),
        ("provenance", stats.by_provenance),
    ):
        lines.append(f"by {title}:")
        lines += [f"  {name!s:<34} {count:>5}" for name, count in counts.items()]
    lines.append(f"lessons with questions: {len(stats.by_lesson)}")
    lines.append(f"lessons with fewer than {stats.minimum} questions: {len(stats.thin_lessons)}")
    addresses = sorted(key.rsplit("/", 1) for key, _ in stats.thin_lessons)
    for prefix, members in groupby(addresses, key=lambda address: address[0]):
        days = [int(day) for _, day in members]
        lines.append(f"  {prefix:<34} days {_ranges(days)}")
    return "\n".join(lines)


def _ranges(days: Sequence[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    spans: list[list[int]] = []
    for day in sorted(days):
        if spans and day == spans[-1][1] + 1:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
