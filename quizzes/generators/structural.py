"""Offline, deterministic questions from the curriculum's own tables (provenance `structural`).

Every candidate goes through the validator together with the existing banks; a candidate that
breaks any rule, warnings included, is dropped rather than shipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from curriculum import PLAN_IDS, Plan, load_plan

from ..banks import BANKS_DIR, BankEntry
from ..checks import check_question
from ..model import Kind, Question
from ..similarity import DEFAULT_THRESHOLD, Embedder, embed_passages
from ..validate import Issue, validate_entries
from . import fullstack, llmapp

__all__ = ["STRUCTURAL_FILE", "structural_path", "structural_questions"]

STRUCTURAL_FILE = "structural.yaml"
_FAMILIES: dict[str, Callable[[Plan], Iterator[Question]]] = {
    "ai-fullstack-100": fullstack.candidates,
    "llm-app-180": llmapp.candidates,
}


def structural_path(plan_id: str, root: Path = BANKS_DIR) -> Path:
    return root / plan_id / STRUCTURAL_FILE


def structural_questions(
    plan_id: str,
    *,
    existing: Sequence[BankEntry] = (),
    embeddings: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    embed: Embedder | None = None,
) -> list[Question]:
    """The plan's structural questions that are clean next to `existing` (the other banks;
    leave the plan's current structural file out so a rerun replaces it)."""
    if plan_id not in PLAN_IDS:
        raise ValueError(f"unknown plan {plan_id!r}")
    kept: list[Question] = []
    seen: set[str] = set()
    for question in _FAMILIES[plan_id](load_plan(plan_id)):
        if question.id not in seen and not check_question(question):
            seen.add(question.id)
            kept.append(question)
    if embeddings:
        kept = _without_near_duplicates(kept, existing, threshold, embed or embed_passages)
    path = structural_path(plan_id)
    # The rest (same stems, key-length patterns) by the validator itself. Dropping a question
    # only removes collisions, so this ends; usually in one round.
    while True:
        entries = [*existing, *(BankEntry(q, path, index) for index, q in enumerate(kept))]
        issues = validate_entries(entries, embeddings=embeddings, threshold=threshold, embed=embed)
        dropped = _to_drop(issues, entries, kept)
        if not dropped:
            return sorted(kept, key=lambda q: (q.day, q.id))
        kept = [question for question in kept if question.id not in dropped]


def _without_near_duplicates(
    candidates: Sequence[Question],
    existing: Sequence[BankEntry],
    threshold: float,
    embed: Embedder,
) -> list[Question]:
    """Greedy, in priority order: a candidate stays unless its stem is too close to a stem
    of its lesson that is already in the banks or kept. (Dropping every later member of each
    flagged pair would also drop questions whose only near-twin was dropped.)"""
    stems: dict[str, list[str]] = defaultdict(list)
    for question in (*(entry.question for entry in existing), *candidates):
        stems[question.lesson_key].append(question.stem)
    crowded = {lesson for lesson, texts in stems.items() if len(texts) > 1}
    texts = list(dict.fromkeys(text for lesson in crowded for text in stems[lesson]))
    vectors = dict(zip(texts, embed(texts), strict=True)) if texts else {}
    taken: dict[str, list[np.ndarray]] = defaultdict(list)
    for entry in existing:
        if entry.question.lesson_key in crowded:
            taken[entry.question.lesson_key].append(vectors[entry.question.stem])
    kept = []
    for question in candidates:
        lesson = question.lesson_key
        if lesson in crowded:
            vector = vectors[question.stem]
            if taken[lesson] and float(np.max(np.stack(taken[lesson]) @ vector)) >= threshold:
                continue
            taken[lesson].append(vector)
        kept.append(question)
    return kept


def _to_drop(
    issues: Sequence[Issue], entries: Sequence[BankEntry], kept: Sequence[Question]
) -> set[str]:
    ours = {question.id for question in kept}
    lesson_of = {entry.question.id: entry.question.lesson_key for entry in entries}
    dropped: set[str] = set()
    for issue in issues:
        if issue.code == "key-longest" and issue.question_id in lesson_of:
            # Reported once per lesson; dropping the lesson's last candidate breaks the pattern.
            lesson = lesson_of[issue.question_id]
            mine = [q.id for q in kept if q.lesson_key == lesson and q.kind == Kind.CHOICE]
            dropped.update(mine[-1:])
        elif issue.question_id in ours:
            dropped.add(issue.question_id)
    return dropped
