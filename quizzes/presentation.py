"""How a question is put in front of a learner: the order of its options and what its header may
say. Pure: the order comes from a seed, so the same presentation always shows the same order
(a restart, a re-render) and grading can derive it again instead of storing it."""

from __future__ import annotations

import random

from curriculum.errors import CurriculumError
from curriculum.loader import load_plan
from curriculum.model import Lesson
from quizzes.grading import match_key
from quizzes.model import Kind, Question


def option_order(question: Question, seed: str) -> tuple[int, ...]:
    """Bank indices of the options in the order they are shown for this presentation."""
    order = list(range(len(question.options)))
    # random.Random seeded with a str hashes it with SHA-512: stable across processes.
    random.Random(f"{seed}:{question.id}").shuffle(order)  # noqa: S311 - order, not secrecy
    return tuple(order)


def _leaks(title: str, answers: list[str]) -> bool:
    folded = match_key(title)
    return any(
        answer and (answer in folded or folded in answer)
        for answer in (match_key(text) for text in answers)
    )


def header_title(question: Question) -> str | None:
    """The lesson's title to show above a card, or None when there is none or it would name the
    answer. The lesson, not the question's own topic: a topic is written for the one idea the
    question tests ("澄清追问" above "what should the bot do first?"), so it points at the key."""
    lesson = _lesson_of(question)
    if lesson is None:
        return None
    if question.kind != Kind.TRUE_FALSE and _leaks(
        lesson.title, [question.answer, *question.accepted]
    ):
        return None
    return lesson.title


def _lesson_of(question: Question) -> Lesson | None:
    try:
        return load_plan(question.plan).row(question.track, question.day)
    except CurriculumError:
        return None  # a bank for a plan this build does not ship: no title, still a card
