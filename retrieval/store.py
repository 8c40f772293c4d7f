"""What the index hands a store and gets back: the values both stores share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Both stores page through points this many at a time, and index these payload fields
# (the scopes and the question-bank lane filter on them).
SCROLL_PAGE = 1000
INDEXED_FIELDS = ("doc", "plan", "track", "lesson_key", "source")


class IndexBusyError(RuntimeError):
    """The local index cannot be opened or written now; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    dense: list[float]
    indices: list[int]  # the sparse vector: token indices and their frequencies
    values: list[float]
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scored:
    id: str
    score: float
    payload: dict[str, Any]
