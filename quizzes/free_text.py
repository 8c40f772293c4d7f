"""Typed answers to recall and cloze cards, graded by meaning with the bundled embedding model.

The accepted list and normalisation decide first (an exact match is right; a cloze answer that
contains the key is right, one that is a fragment of it partly right). Otherwise the answer is
embedded (multilingual-e5-small through `retrieval.embeddings`, "query: " on both sides, as e5
recommends for symmetric similarity) and its best cosine against the key and the accepted
spellings is compared with thresholds calibrated on the labelled set in
`tests/quizzes/free_text_labels.jsonl` (`python -m quizzes.free_text_eval` re-derives them).
e5 scores an English answer against a Chinese key about 0.08 lower than a Chinese paraphrase
that says the same, so answers in the other script have thresholds of their own.

Pure: the embedder is passed in (or made on first use); no database, no `bot` imports.
"""

from __future__ import annotations

import enum
import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .grading import match_key
from .model import Kind, Question
from .srs import Rating

__all__ = [
    "CALIBRATED",
    "EmbeddingGrader",
    "FreeTextGrade",
    "Reason",
    "TextEmbedder",
    "Thresholds",
    "Verdict",
    "cross_lingual",
    "is_non_answer",
    "rating_for_verdict",
    "shared_embedder",
]


class Verdict(enum.StrEnum):
    CORRECT = "correct"
    PARTIAL = "partially"
    INCORRECT = "incorrect"


class Reason(enum.StrEnum):
    """Why the embedding grader decided as it did; the bot words it in the learner's language."""

    EMPTY = "empty"  # nothing that reads as an answer
    DONT_KNOW = "dont_know"  # "不知道", "no idea"
    ACCEPTED = "accepted"  # the key or an accepted spelling
    CONTAINS_KEY = "contains_key"  # cloze: the key inside a longer answer
    PART_OF_KEY = "part_of_key"  # cloze: a fragment of the key
    CLOSE = "close"  # means what the key means
    PARTLY_CLOSE = "partly_close"  # near the key, short of it
    FAR = "far"  # says something else


@dataclass(frozen=True, slots=True)
class FreeTextGrade:
    verdict: Verdict
    # The LLM's one sentence in the learner's language, or a `Reason` value from the embedding
    # grader for the bot to word.
    reason: str
    grader: str  # "llm" | "embedding"
    similarity: float | None = None


_RATINGS = {
    Verdict.CORRECT: Rating.Good,
    Verdict.PARTIAL: Rating.Hard,
    Verdict.INCORRECT: Rating.Again,
}


def rating_for_verdict(verdict: Verdict) -> Rating:
    """Right = Good, partly right = Hard (remembered with effort), wrong = Again."""
    return _RATINGS[verdict]


@dataclass(frozen=True, slots=True)
class Thresholds:
    partial: float  # best cosine at or above: partly right
    correct: float  # at or above: right


# (kind, answer in the other script than the key) -> thresholds. Calibrated by grid search for
# the highest accuracy on the labelled set (two-fold by question in `make eval`, to show they
# hold on questions they were not fitted on).
CALIBRATED: dict[tuple[Kind, bool], Thresholds] = {
    (Kind.RECALL, False): Thresholds(partial=0.914, correct=0.946),
    (Kind.RECALL, True): Thresholds(partial=0.838, correct=0.846),
    # A cloze answer the rules did not settle is rarely right: only a near-identical one counts.
    (Kind.CLOZE, False): Thresholds(partial=0.971, correct=0.971),
    (Kind.CLOZE, True): Thresholds(partial=0.899, correct=0.93),
}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_DONT_KNOW = frozenset(
    match_key(text)
    for text in (
        "不知道 不会 不清楚 不记得 忘了 忘记了 不懂 不确定 没想法 随便 跳过 pass skip "
        "idk dunno unknown"
    ).split()
    + ["no idea", "i don't know", "i do not know", "don't know", "not sure", "i forgot"]
)
# Negations that turn a contained key into its opposite ("非自回归", "non-autoregressive").
_NEGATED = re.compile(r"(非|不|不是|无|没有|没|not|non|un|no|isnt)$")


def _chinese(text: str) -> bool:
    chinese, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    return chinese > 0 and chinese * 3 >= latin


def cross_lingual(question: Question, answer: str) -> bool:
    """The answer is written in the other script than the key (an English answer to a Chinese
    key, say), where e5's cosines run lower."""
    return _chinese(answer) != _chinese(question.answer)


def is_non_answer(text: str) -> bool:
    """Nothing a grader could read: empty once punctuation and spacing are folded away."""
    return not match_key(text)


Embed = Callable[[Sequence[str]], np.ndarray]


class TextEmbedder:
    """Unit vectors for texts, each text embedded once per process (and once ever with a cache
    file): grading a card embeds its key once, however many learners answer it."""

    def __init__(
        self,
        embed_query: Callable[[str], list[float]] | None = None,
        cache_file: Path | None = None,
    ) -> None:
        self._embed_query = embed_query
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._cache_file = cache_file
        self._dirty = False
        if cache_file is not None and cache_file.exists():
            with np.load(cache_file) as stored:
                self._vectors.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def _model(self) -> Callable[[str], list[float]]:
        if self._embed_query is None:
            from retrieval.embeddings import E5Embeddings  # loads the model: on first use

            self._embed_query = E5Embeddings().embed_query
        return self._embed_query

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            rows = []
            for text in texts:
                key = self._key(text)
                if key not in self._vectors:
                    vector = np.asarray(self._model()(text), dtype=np.float32)
                    self._vectors[key] = vector / (np.linalg.norm(vector) or 1.0)
                    self._dirty = True
                rows.append(self._vectors[key])
            return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def save(self) -> None:
        if self._cache_file is None or not self._dirty:
            return
        with self._lock:
            keys = list(self._vectors)
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            with self._cache_file.open("wb") as out:
                np.savez(
                    out, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys])
                )
            self._dirty = False


_shared: TextEmbedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> TextEmbedder:
    """One embedder per process: the model loads once and keys stay cached across chats."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TextEmbedder()
        return _shared


class EmbeddingGrader:
    """The grader that needs no model server: accepted list, normalisation, embeddings."""

    def __init__(
        self,
        embed: Embed | None = None,
        thresholds: dict[tuple[Kind, bool], Thresholds] | None = None,
    ) -> None:
        self._embed = embed
        self.thresholds = thresholds or CALIBRATED

    @property
    def embed(self) -> Embed:
        if self._embed is None:
            self._embed = shared_embedder()
        return self._embed

    def grade(self, question: Question, answer: str) -> FreeTextGrade:
        if question.kind not in (Kind.RECALL, Kind.CLOZE):
            raise ValueError(f"{question.kind} questions are not typed free text")
        ruled = self.by_rules(question, answer)
        if ruled is not None:
            return ruled
        similarity = self.similarity(question, answer)
        return self.decide(question, answer, similarity)

    def similarity(self, question: Question, answer: str) -> float:
        """Best cosine between the answer and the key or an accepted spelling."""
        keys = [question.answer, *question.accepted]
        vectors = self.embed([answer.strip(), *keys])
        return float(np.max(vectors[1:] @ vectors[0]))

    def decide(self, question: Question, answer: str, similarity: float) -> FreeTextGrade:
        limits = self.thresholds[(question.kind, cross_lingual(question, answer))]
        if similarity >= limits.correct:
            verdict, reason = Verdict.CORRECT, Reason.CLOSE
        elif similarity >= limits.partial:
            verdict, reason = Verdict.PARTIAL, Reason.PARTLY_CLOSE
        else:
            verdict, reason = Verdict.INCORRECT, Reason.FAR
        return FreeTextGrade(verdict, str(reason), "embedding", round(similarity, 4))

    @staticmethod
    def by_rules(question: Question, answer: str) -> FreeTextGrade | None:
        """What the accepted list and normalisation settle without the model, else None."""
        given = match_key(answer)
        if not given:
            return _ruled(Verdict.INCORRECT, Reason.EMPTY)
        if given in _DONT_KNOW:
            return _ruled(Verdict.INCORRECT, Reason.DONT_KNOW)
        keys = [key for key in (match_key(k) for k in (question.answer, *question.accepted)) if key]
        if given in keys:
            return _ruled(Verdict.CORRECT, Reason.ACCEPTED)
        if question.kind != Kind.CLOZE:
            return None
        for key in keys:
            at = given.find(key)
            if at >= 0 and not _NEGATED.search(given[:at]):
                return _ruled(Verdict.CORRECT, Reason.CONTAINS_KEY)
        if any(given in key and len(given) * 5 >= len(key) * 2 for key in keys):
            return _ruled(Verdict.PARTIAL, Reason.PART_OF_KEY)
        return None


def _ruled(verdict: Verdict, reason: Reason) -> FreeTextGrade:
    return FreeTextGrade(verdict, str(reason), "embedding")
