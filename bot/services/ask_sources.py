"""The question banks as passages for /ask: each question's stem, key and explanation.

The explanations say why an answer is right in the words of the lesson, which the plans' own
tables rarely do ("What is RRF?"), so /ask quotes them and the quiz's 💡 Explain starts from
them. Built here rather than in `retrieval`, which knows the curriculum and nothing of quizzes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from curriculum import load_plan
from quizzes import Kind, Question, load_banks
from retrieval.model import KEY_PREFIX, QUESTION, STEM_PREFIX, WHY_PREFIX, Chunk

QUESTION_LABEL = "题库 Question bank"


def bank_doc(plan_id: str) -> str:
    return f"bank:{plan_id}"


def key_text(question: Question) -> str:
    """The right answer as a sentence can quote it."""
    if question.kind == Kind.TRUE_FALSE:
        return "正确 (true)" if question.answer == "true" else "错误 (false)"
    return question.answer


def question_chunk(question: Question) -> Chunk:
    plan = load_plan(question.plan)
    lesson_key = question.sources[0].lesson if question.sources else None
    track = f"{question.track} track" if question.track else ""
    head = " · ".join(
        part for part in (plan.title, track, QUESTION_LABEL, f"Day {question.day}") if part
    )
    lines = [
        f"{head} · {question.topic}",
        f"{STEM_PREFIX}{question.stem}",
        f"{KEY_PREFIX}{key_text(question)}",
    ]
    if question.explanation.strip():
        lines.append(f"{WHY_PREFIX}{question.explanation.strip()}")
    return Chunk(
        doc=bank_doc(question.plan),
        key=question.id,
        text="\n".join(lines),
        source=QUESTION,
        kind=str(question.kind),
        title=question.topic,
        plan=question.plan,
        track=question.track,
        day=question.day,
        day_end=question.day,
        lesson_key=lesson_key,
    )


def bank_documents(questions: Iterable[Question]) -> dict[str, list[Chunk]]:
    """One document per plan, so a plan's bank is re-synced as a whole."""
    documents: dict[str, list[Chunk]] = {}
    for question in questions:
        documents.setdefault(bank_doc(question.plan), []).append(question_chunk(question))
    return documents


@cache
def shipped_bank_documents() -> Mapping[str, Sequence[Chunk]]:
    """The banks shipped in `quizzes/banks`, as the bot's index holds them."""
    return bank_documents(entry.question for entry in load_banks())
