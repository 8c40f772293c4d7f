"""The hybrid search request, once, for both stores.

A search is one Query API request: a dense and a sparse prefetch per phrasing of the question
(the question, and for a follow-up the question with the one before it), plus the lesson's own
chunks for a lesson scope, fused by RRF or DBSF; optionally rescored by a formula that
multiplies the fused score by (1 + the weights of the boosts a chunk matches). The request is
built here as plain values and translated, unchanged in shape, into Qdrant Edge's classes
(`edge_store`) or qdrant-client's models (`server_store`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import QUESTION, Scope

DENSE = "dense"
SPARSE = "sparse"
CONTENT = "page_content"  # the payload layout langchain-qdrant uses, kept for existing servers
METADATA = "metadata"
FUSIONS = ("rrf", "dbsf")
RRF_K = 2  # Qdrant's default ranking constant, named so both stores use the same
# Boosts multiply the fused score, so they mean the same under RRF and DBSF.
PLAN_BOOST = 0.25
TRACK_BOOST = 0.15
# A lesson scope (the quiz's "explain") means that lesson first whenever it is a candidate.
LESSON_BOOST = 10.0
LESSON_CHUNKS = 3
DAY_BOOST = 0.5
# Question-bank passages are searched apart from the rest (a "lane"): three times as many as
# the lessons and worded like questions, they would crowd out the lessons that say where and
# what a topic is taught; answers then quote the best of both.
PASSAGES = "passages"
QUESTIONS = "questions"
_DAY_MENTION_RE = re.compile(
    r"第\s*(\d{1,3})\s*天|\bday\s*(\d{1,3})\b|\bD(\d{1,3})\b", re.IGNORECASE
)


def field(name: str) -> str:
    return f"{METADATA}.{name}"


# --- conditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    key: str
    value: str


@dataclass(frozen=True)
class IsNull:
    key: str


@dataclass(frozen=True)
class Range:
    key: str
    gte: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class Where:
    must: tuple[Condition, ...] = ()
    should: tuple[Condition, ...] = ()
    must_not: tuple[Condition, ...] = ()


Condition = Match | IsNull | Range | Where


# --- the request -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SparseQuery:
    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class Nearest:
    using: str  # DENSE or SPARSE
    vector: list[float] | SparseQuery
    limit: int
    where: Where | None = None


@dataclass(frozen=True)
class Fused:
    sources: tuple[Nearest, ...]
    fusion: str
    limit: int


@dataclass(frozen=True)
class Boosted:
    """The fused candidates, rescored: score * (1 + sum of the weights of matching terms)."""

    inner: Fused
    terms: tuple[tuple[float, Condition], ...]
    limit: int


Request = Fused | Boosted


@dataclass(frozen=True)
class Phrasing:
    """A question as the index searches it: its dense and sparse vectors."""

    dense: list[float]
    sparse: SparseQuery


def match(name: str, value: str) -> Match:
    return Match(field(name), value)


def lane_filter(lane: str | None) -> Where | None:
    if lane is None:
        return None
    question = match("source", QUESTION)
    return Where(must=(question,)) if lane == QUESTIONS else Where(must_not=(question,))


def both(first: Where | None, second: Where | None) -> Where | None:
    if first is None or second is None:
        return first or second
    return Where(must=(first, second))


def scope_filter(scope: Scope | None) -> Where | None:
    """A filtering scope: the plan, and within it the track and the lessons all tracks share."""
    if scope is None or not scope.only or scope.plan is None:
        return None
    must: list[Condition] = [match("plan", scope.plan)]
    if scope.track:
        must.append(Where(should=(match("track", scope.track), IsNull(field("track")))))
    return Where(must=tuple(must))


@dataclass(frozen=True)
class Boost:
    """Multiply the fused score by (1 + weight) for chunks whose `field` equals `value`; the
    field "day" matches chunks whose day range contains the day."""

    weight: float
    field: str
    value: str | int

    def condition(self) -> Condition:
        if self.field == "day":
            day = float(self.value)
            return Where(must=(Range(field("day"), lte=day), Range(field("day_end"), gte=day)))
        return match(self.field, str(self.value))


def mentioned_days(question: str) -> list[int]:
    """Day numbers a question names: "第47天", "Day 47", "D47" (not "180-day plan")."""
    return sorted(
        {int(number) for groups in _DAY_MENTION_RE.findall(question) for number in groups if number}
    )


def boosts(scope: Scope | None, days: Sequence[int] = ()) -> list[Boost]:
    found = [Boost(DAY_BOOST, "day", day) for day in days]
    if scope is None:
        return found
    if scope.plan and not scope.only:
        found.append(Boost(PLAN_BOOST, "plan", scope.plan))
    if scope.track and not scope.only:
        found.append(Boost(TRACK_BOOST, "track", scope.track))
    if scope.lesson_key:
        found.append(Boost(LESSON_BOOST, "lesson_key", scope.lesson_key))
    return found


def check_fusion(fusion: str) -> str:
    if fusion not in FUSIONS:
        raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
    return fusion


def hybrid_request(
    phrasings: Sequence[Phrasing],
    k: int,
    *,
    fusion: str,
    prefetch_limit: int,
    scope: Scope | None = None,
    days: Sequence[int] = (),
    lane: str | None = None,
) -> Request:
    where = both(scope_filter(scope), lane_filter(lane))
    limit = max(prefetch_limit, k)
    sources: list[Nearest] = []
    for phrasing in phrasings:
        sources.append(Nearest(DENSE, phrasing.dense, limit, where))
        sources.append(Nearest(SPARSE, phrasing.sparse, limit, where))
    if scope is not None and scope.lesson_key:
        lesson = both(Where(must=(match("lesson_key", scope.lesson_key),)), lane_filter(lane))
        sources.append(Nearest(DENSE, phrasings[0].dense, LESSON_CHUNKS, lesson))
    terms = boosts(scope, days)
    if not terms:
        return Fused(tuple(sources), check_fusion(fusion), k)
    # With boosts the fusion keeps every candidate, so that a boost can lift one into the top k.
    inner = Fused(tuple(sources), check_fusion(fusion), limit)
    return Boosted(inner, tuple((b.weight, b.condition()) for b in terms), k)
