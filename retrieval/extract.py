"""Extractive answers: the sentences of the retrieved passages that answer the question.

Every passage is cut into sentences (a table row's cells are lines of their own; prose and
question-bank explanations are split at sentence ends). A sentence scores the inverse document
frequency, over all candidate sentences, of the question's words it contains, discounted by its
passage's rank, so a rare word of the question ("RRF", "Compose") outweighs a common one
("模型"). The best few sentences, at most two per passage, are quoted with their passage's
number. What a passage is about (its "Day 13 · Docker Compose多容器应用" line) leads the quote
when the passage has one, so a "which day" question is answered by the quote itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .glossary import expand_query
from .model import CURRICULUM, KEY_PREFIX, PAPER, QUESTION, STEM_PREFIX, WHY_PREFIX, Chunk
from .sparse import tokens

MAX_SENTENCES = 4
PER_PASSAGE = 2
SENTENCE_CHARS = 220
# A sentence of the n-th passage counts 1 / (1 + RANK_DISCOUNT * (n - 1)) of its overlap.
RANK_DISCOUNT = 0.15
# A sentence scoring under this share of the best one adds noise, not an answer.
RELATIVE_FLOOR = 0.35
# A long line is cut at sentence ends and list separators ("每日主题: Day 21 …；Day 22 …").
_SENTENCE_END_RE = re.compile(r"(?<=[。！？!?；])|(?<=[.;])\s+")
_DAY_LINE_RE = re.compile(r"^(?:Day|第)\s*\d")
# "Which day ...?": the line that names the day is the answer.
_ASKS_WHEN_RE = re.compile(
    r"\b(?:which|what) (?:day|week|stage)|\bwhen\b|哪天|哪一天|第几天|哪个阶段|什么时候",
    re.IGNORECASE,
)
WHEN_BONUS = 2.0
PRACTICE_PREFIXES = ("实践作业:", "实践任务:")
# Passages of the lesson an explanation is about (see `answer.extractive`'s `lead`).
FAVOURED_BONUS = 3.0


@dataclass(frozen=True)
class Sentence:
    number: int  # the passage's number
    position: int  # order within the passage
    text: str
    words: frozenset[str]


@dataclass(frozen=True)
class Quote:
    number: int
    text: str


def _split(line: str) -> list[str]:
    if len(line) <= SENTENCE_CHARS:
        return [line]
    parts = (part.strip().rstrip("；;").strip() for part in _SENTENCE_END_RE.split(line))
    return [part for part in parts if part]


def locator(chunk: Chunk) -> str | None:
    """The line that says where a curriculum passage sits ("Day 13 · ..."), when it has one."""
    if chunk.source != CURRICULUM or chunk.day is None:
        return None
    lines = chunk.text.splitlines()
    if len(lines) > 1 and _DAY_LINE_RE.match(lines[1]):
        return lines[1].strip()
    return None


def body_lines(chunk: Chunk) -> list[str]:
    """The lines a quote may come from: not the context line that opens most passages (the
    citation names plan, track and paper), not a question's stem, not the locator."""
    lines = [line.strip() for line in chunk.text.splitlines() if line.strip()]
    if chunk.source in (CURRICULUM, PAPER, QUESTION) and len(lines) > 1:
        lines = lines[1:]
    head = locator(chunk)
    if chunk.source == QUESTION:
        return [_unlabelled(line) for line in lines if not line.startswith(STEM_PREFIX)]
    return [line for line in lines if line != head] or lines[:1]


def _unlabelled(line: str) -> str:
    """A question passage's key or explanation without the index's label ("答 A: ")."""
    for label in (KEY_PREFIX, WHY_PREFIX):
        if line.startswith(label):
            return line[len(label) :]
    return line


def _sentences(number: int, chunk: Chunk) -> list[Sentence]:
    units = [part for line in body_lines(chunk) for part in _split(line)]
    head = locator(chunk)
    if not head:
        return [Sentence(number, i, text, frozenset(tokens(text))) for i, text in enumerate(units)]
    # The locator answers "which day" on its own; the other lines count for what they add
    # to it ("参考资料: AMP教程" adds nothing to "Day 38 · 混合精度训练(AMP)").
    head_words = frozenset(tokens(head))
    found = [Sentence(number, 0, head, head_words)]
    for position, text in enumerate(units, 1):
        found.append(Sentence(number, position, text, frozenset(tokens(text)) - head_words))
    return found


def _clip(text: str) -> str:
    return text if len(text) <= SENTENCE_CHARS else text[: SENTENCE_CHARS - 1] + "…"


def pick(
    question: str, passages: Sequence[tuple[int, Chunk]], favoured: frozenset[int] = frozenset()
) -> list[Quote]:
    """The sentences that answer best, grouped by passage; [] when no sentence shares a word
    with the question."""
    words = set(tokens(expand_query(question)))
    candidates = [s for number, chunk in passages for s in _sentences(number, chunk)]
    frequency = Counter(word for s in candidates for word in s.words & words)
    total = len(candidates) or 1
    rank = {number: index for index, (number, _) in enumerate(passages)}

    asks_when = bool(_ASKS_WHEN_RE.search(question))
    heads = {locator(chunk) for _, chunk in passages} - {None}

    def score(sentence: Sentence) -> float:
        shared = sentence.words & words
        weight = sum(math.log(1 + total / frequency[word]) for word in shared)
        if asks_when and sentence.text in heads:
            weight *= WHEN_BONUS
        if sentence.number in favoured:
            weight *= FAVOURED_BONUS
        return weight / (1 + RANK_DISCOUNT * rank[sentence.number])

    scored = sorted(
        ((score(s), s) for s in candidates), key=lambda pair: (-pair[0], rank[pair[1].number])
    )
    chosen: dict[int, list[Sentence]] = {}
    count = 0
    floor = scored[0][0] * RELATIVE_FLOOR if scored else 0.0
    for value, sentence in scored:
        if value <= 0 or value < floor or count >= MAX_SENTENCES:
            break
        picked = chosen.setdefault(sentence.number, [])
        if len(picked) < PER_PASSAGE:
            picked.append(sentence)
            count += 1
    chunks = dict(passages)
    # In the passages' order, as the sources are listed: the best passage comes first anyway.
    return [
        Quote(number, _quote(chunks[number], chosen[number]))
        for number, _ in passages
        if number in chosen
    ]


def _quote(chunk: Chunk, picked: list[Sentence]) -> str:
    """The chosen sentences in the passage's order, led by its locator line."""
    texts = [s.text for s in sorted(picked, key=lambda s: s.position)]
    head = locator(chunk)
    if head:
        # A lesson is quoted with its day and what the learner does that day.
        rest = [text for text in texts if text != head]
        practice = [line for line in body_lines(chunk) if line.startswith(PRACTICE_PREFIXES)]
        rest += [line for line in practice[:1] if line not in rest]
        texts = [head, *(rest or body_lines(chunk)[:1])]
    return " — ".join(_clip(text) for text in texts)


def whole(chunk: Chunk) -> str:
    """Every quotable line of a passage (a quiz question's key and explanation)."""
    return " — ".join(body_lines(chunk))


def fallback(passages: Sequence[tuple[int, Chunk]], count: int) -> list[Quote]:
    """The opening sentences of the first passages, when no sentence shares a word."""
    quotes = []
    for number, chunk in passages[:count]:
        lines = body_lines(chunk)
        head = locator(chunk)
        texts = [head, *lines[:1]] if head else lines[:2]
        quotes.append(Quote(number, " — ".join(_clip(text) for text in texts if text)))
    return quotes
