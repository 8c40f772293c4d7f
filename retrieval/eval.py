"""Retrieval quality on a question set: `python -m retrieval.eval [QUESTIONS.jsonl]`.

Each line is `{"q": question, "gold": [strings]}`; a question is a hit at k when one of the
top-k passages contains every gold string. Prints hit@1, hit@5 and MRR (over the top 10) for
each fusion method, the configured one first, as one JSON line each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .index import FUSIONS
from .model import IndexConfig, RetrievalConfig
from .retriever import Retriever

DEFAULT_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "ask_dev.jsonl"
DEFAULT_INDEX = Path("data") / "qdrant-eval"
DEPTH = 10


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.eval", description=__doc__)
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="local Qdrant folder")
    parser.add_argument("--fusion", choices=FUSIONS, default="rrf")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    started = time.perf_counter()
    retriever = Retriever.open(
        RetrievalConfig(index=IndexConfig(path=args.index, fusion=args.fusion))
    )
    try:
        retriever.ensure_curriculum()
        built = time.perf_counter() - started
        for fusion in (args.fusion, *(f for f in FUSIONS if f != args.fusion)):
            scores = evaluate(retriever, questions, fusion)
            print(
                json.dumps(
                    {
                        "eval": args.questions.name,
                        "questions": len(questions),
                        "fusion": fusion,
                        "hit@1": round(scores.hit_at_1, 3),
                        "hit@5": round(scores.hit_at_5, 3),
                        "mrr": round(scores.mrr, 3),
                        "misses": list(scores.misses),
                    },
                    ensure_ascii=False,
                )
            )
        print(f"(index ready in {built:.1f} s, {retriever.index.count()} chunks)", file=sys.stderr)
    finally:
        retriever.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
