"""Retrieval and extractive-answer quality on a question set (`make eval` runs it).

Each line is `{"q": question, "gold": [strings]}`. Retrieval: a question is a hit at k when one
of the top-k passages contains every gold string; hit@1, hit@5 and MRR (over the top 10).
Answers: the gold rate is the share of questions whose extractive answer (from the top
`ANSWER_PASSAGES` passages, as /ask shows it) contains every gold string in its own text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .answer import extractive, passages_from
from .index import FUSIONS
from .query import QUESTIONS
from .retriever import EXPLANATIONS, Retriever

DEFAULT_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "ask_dev.jsonl"
DEFAULT_INDEX = Path("data") / "qdrant-eval"
DEPTH = 10
ANSWER_PASSAGES = 6  # the bot's default `ask.top_k`


@dataclass(frozen=True)
class Question:
    text: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    hit_at_1: float
    hit_at_5: float
    mrr: float
    misses: tuple[str, ...]  # questions with no hit in the top 5


def load_questions(path: Path) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            questions.append(Question(row["q"], tuple(row["gold"])))
    return questions


def first_hit(texts: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based rank of the first passage that contains every gold string."""
    for rank, text in enumerate(texts, 1):
        if all(item in text for item in gold):
            return rank
    return None


def evaluate(
    retriever: Retriever, questions: Sequence[Question], fusion: str | None = None
) -> Scores:
    ranks = []
    for question in questions:
        hits = retriever.search(question.text, k=DEPTH, fusion=fusion)
        ranks.append(first_hit([hit.chunk.text for hit in hits], question.gold))
    total = len(questions) or 1
    return Scores(
        hit_at_1=sum(rank == 1 for rank in ranks) / total,
        hit_at_5=sum(rank is not None and rank <= 5 for rank in ranks) / total,
        mrr=sum(1 / rank for rank in ranks if rank) / total,
        misses=tuple(
            q.text for q, rank in zip(questions, ranks, strict=True) if not rank or rank > 5
        ),
    )


def answer_text(question: str, retriever: Retriever, fusion: str | None = None) -> str:
    hits = retriever.search(question, k=ANSWER_PASSAGES, fusion=fusion)
    hits += retriever.search(question, k=EXPLANATIONS, fusion=fusion, lane=QUESTIONS)
    passages = passages_from(hits)
    draft = extractive(question, passages, "unconfigured")
    return "\n".join(excerpt.text for excerpt in draft.excerpts)


def gold_rate(
    retriever: Retriever, questions: Sequence[Question], fusion: str | None = None
) -> tuple[float, tuple[str, ...]]:
    """Share of questions whose extractive answer quotes every gold string; the others."""
    missed = tuple(
        q.text
        for q in questions
        if not all(item in answer_text(q.text, retriever, fusion) for item in q.gold)
    )
    return 1 - len(missed) / (len(questions) or 1), missed


def report(retriever: Retriever, questions: Sequence[Question], name: str, fusion: str) -> None:
    """One JSON line per fusion method, the configured one first."""
    for method in (fusion, *(f for f in FUSIONS if f != fusion)):
        scores = evaluate(retriever, questions, method)
        rate, unanswered = gold_rate(retriever, questions, method)
        row = {
            "eval": name,
            "questions": len(questions),
            "fusion": method,
            "hit@1": round(scores.hit_at_1, 3),
            "hit@5": round(scores.hit_at_5, 3),
            "mrr": round(scores.mrr, 3),
            "extractive_gold": round(rate, 3),
            "misses": list(scores.misses),
            "unanswered": list(unanswered),
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
