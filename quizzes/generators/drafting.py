"""Building blocks for generated choice questions: distractor picking and a deterministic
option order, so regenerating from unchanged data gives byte-identical banks."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from typing import TypeVar

from curriculum import Lesson

from ..flaws import KEY_LENGTH_RATIO, option_length
from ..grading import match_key
from ..model import Kind, Question, Source, content_hash

__all__ = [
    "DISTRACTORS",
    "choice_question",
    "lesson_sources",
    "nearest_first",
    "pick_distractors",
    "topic_of",
]

DISTRACTORS = 3
T = TypeVar("T")


def topic_of(lesson: Lesson) -> str:
    return lesson.topics[0] if lesson.topics else lesson.title


def lesson_sources(lesson: Lesson) -> tuple[Source, ...]:
    """The lesson itself, with its links when it has any (a card shows them as sources)."""
    if not lesson.references:
        return (Source(lesson=lesson.key),)
    return tuple(
        Source(lesson=lesson.key, url=ref.url, title=ref.title, arxiv_id=ref.arxiv_id)
        for ref in lesson.references
    )


def nearest_first(items: Iterable[tuple[int, T]], day: int) -> list[T]:
    """Items keyed by day, the closest to `day` first (earlier before later on ties)."""
    ordered = sorted(items, key=lambda item: (abs(item[0] - day), item[0]))
    return [value for _, value in ordered]


def pick_distractors(key: str, pool: Sequence[str], count: int = DISTRACTORS) -> list[str]:
    """Up to `count` distinct wrong options from `pool` (best first). When the key would be
    more than KEY_LENGTH_RATIO times longer than every pick, the last one is swapped for a
    longer candidate. A key that is merely the longest stays: options from one table column are
    the longest about as often as chance says, and swapping every time would teach learners
    that the longest option is never right."""
    taken = {match_key(key)}
    chosen: list[str] = []
    spare: list[str] = []
    for candidate in pool:
        folded = match_key(candidate)
        if not folded or folded in taken:
            continue
        taken.add(folded)
        (chosen if len(chosen) < count else spare).append(candidate)
    length = option_length(key)
    if chosen and length > KEY_LENGTH_RATIO * max(map(option_length, chosen)):
        # Ideally as long as the key; at least long enough that the key is not 1.8x longer.
        for enough in (length, length / KEY_LENGTH_RATIO):
            longer = next((option for option in spare if option_length(option) >= enough), None)
            if longer is not None:
                chosen[-1] = longer
                break
    return chosen


def choice_question(
    lesson: Lesson,
    *,
    stem: str,
    key: str,
    distractors: Sequence[str],
    explanation: str,
    family: str,
    topic: str | None = None,
    sources: Sequence[Source] = (),
    difficulty: int = 2,
) -> Question:
    options = [key, *distractors]
    # Seeded by the stem: the order is stable across runs and differs between questions.
    seed = int.from_bytes(hashlib.sha256(stem.encode("utf-8")).digest()[:8], "big")
    random.Random(seed).shuffle(options)
    return Question(
        id=content_hash(
            lesson.plan, lesson.track, lesson.day, Kind.CHOICE, stem, tuple(options), key, ()
        ),
        plan=lesson.plan,
        track=lesson.track,
        day=lesson.day,
        topic=topic or topic_of(lesson),
        kind=Kind.CHOICE,
        stem=stem,
        answer=key,
        explanation=explanation,
        sources=tuple(sources) or lesson_sources(lesson),
        difficulty=difficulty,
        options=tuple(options),
        language="zh",
        provenance="structural",
        tags=(family,),
    )
