"""How a question is put in front of a learner: the order of its options and what its header may
say. Pure: the order comes from a seed, so the same presentation always shows the same order
(a restart, a re-render) and grading can derive it again instead of storing it."""

from __future__ import annotations

import random

from quizzes.grading import match_key
from quizzes.model import Kind, Question


def option_order(question: Question, seed: str) -> tuple[int, ...]:
    """Bank indices of the options in the order they are shown for this presentation."""
    order = list(range(len(question.options)))
    # random.Random seeded with a str hashes it with SHA-512: stable across processes.
    random.Random(f"{seed}:{question.id}").shuffle(order)  # noqa: S311 - order, not secrecy
    return tuple(order)


def _leaks(topic: str, answers: list[str]) -> bool:
    folded = match_key(topic)
    return any(
        answer and (answer in folded or folded in answer)
        for answer in (match_key(text) for text in answers)
    )


def header_topic(question: Question) -> str | None:
    """The topic to show above a card, or None when it would give the answer away: never on
    cards the learner must produce the answer for (cloze, recall), and on a choice card only when
    the topic does not name the right option."""
    if not question.topic or question.kind in {Kind.CLOZE, Kind.RECALL}:
        return None
    if question.kind == Kind.CHOICE and _leaks(question.topic, [question.answer]):
        return None
    return question.topic
