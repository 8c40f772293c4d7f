"""Bag-of-tokens overlap for mixed Chinese/English text.

Used to tie resources to sections and deliverables to project rows. Chinese has
no word boundaries, so CJK runs contribute character bigrams; Latin runs
contribute lower-cased words (plural "s" dropped so "Agents" meets "Agent").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORD_RE = re.compile(r"[a-z][a-z0-9]*", re.IGNORECASE)
_STOPWORDS = frozenset({"a", "an", "and", "are", "all", "for", "is", "of", "the", "to", "you"})


def tokens(text: str) -> frozenset[str]:
    found: set[str] = set()
    for run in _CJK_RUN_RE.findall(text):
        found.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    for word in _WORD_RE.findall(text):
        word = word.lower()
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        if word not in _STOPWORDS:
            found.add(word)
    return frozenset(found)


def overlap(a: str, b: str) -> int:
    return len(tokens(a) & tokens(b))


def best_match(query: str, candidates: Sequence[Iterable[str]], *, prefer: int = 0) -> int:
    """Index of the candidate (a bag of texts) sharing most tokens with `query`.

    Ties, including "nothing shared", go to the candidate nearest `prefer`, then
    to the earlier one, so the result is deterministic.
    """
    wanted = tokens(query)
    scores = [len(wanted & frozenset().union(*map(tokens, texts))) for texts in candidates]
    return max(range(len(scores)), key=lambda i: (scores[i], -abs(i - prefer), -i))
