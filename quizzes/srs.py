"""Spaced repetition on `fsrs`: one scheduler per learner, ratings from answers, interval labels.

Pure: takes the clock as an argument and returns new cards, as `fsrs.Scheduler.review_card` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from fsrs import Card, Rating, ReviewLog, Scheduler, State
from fsrs.card import CardDict

__all__ = [
    "Card",
    "CardDict",
    "Rating",
    "Review",
    "Scheduler",
    "State",
    "format_interval",
    "make_scheduler",
    "preview_intervals",
    "rating_for_answer",
    "review",
]

# A right answer this many times slower than the learner's usual counts as Hard.
SLOW_FACTOR = 2.5
# Fewer timed right answers than this and there is no "usual" yet.
MIN_TIMED_ANSWERS = 5


def make_scheduler(
    desired_retention: float = 0.9,
    parameters: Sequence[float] | None = None,
    enable_fuzzing: bool = True,
) -> Scheduler:
    options: dict[str, object] = {
        "desired_retention": desired_retention,
        "enable_fuzzing": enable_fuzzing,
    }
    if parameters:
        options["parameters"] = tuple(parameters)
    return Scheduler(**options)  # type: ignore[arg-type]


def rating_for_answer(correct: bool, duration_ms: int | None, usual_ms: Sequence[int]) -> Rating:
    """Graded kinds: wrong = Again, right = Good, right but much slower than usual = Hard."""
    if not correct:
        return Rating.Again
    if duration_ms is not None and len(usual_ms) >= MIN_TIMED_ANSWERS:
        if duration_ms > SLOW_FACTOR * median(usual_ms):
            return Rating.Hard
    return Rating.Good


@dataclass(frozen=True, slots=True)
class Review:
    card: Card
    log: ReviewLog


def review(
    scheduler: Scheduler, card: Card, rating: Rating, now: dt.datetime, duration_ms: int | None
) -> Review:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    new_card, log = scheduler.review_card(
        card, rating, review_datetime=now, review_duration=duration_ms
    )
    return Review(card=new_card, log=log)


def preview_intervals(
    scheduler: Scheduler, card: Card, now: dt.datetime
) -> dict[Rating, dt.timedelta]:
    """How long until the card is due again for each rating (without fuzz, so labels are stable)."""
    exact = Scheduler(
        parameters=scheduler.parameters,
        desired_retention=scheduler.desired_retention,
        learning_steps=scheduler.learning_steps,
        relearning_steps=scheduler.relearning_steps,
        maximum_interval=scheduler.maximum_interval,
        enable_fuzzing=False,
    )
    return {
        rating: exact.review_card(card, rating, review_datetime=now)[0].due - now
        for rating in (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
    }


def format_interval(interval: dt.timedelta, language: str) -> str:
    """Short labels for buttons: 10分钟 / 3天 / 2个月, or 10m / 3d / 2mo."""
    minutes = max(1, round(interval.total_seconds() / 60))
    zh = language == "zh"
    if minutes < 60:
        return f"{minutes}分钟" if zh else f"{minutes}m"
    hours = round(minutes / 60)
    if hours < 24:
        return f"{hours}小时" if zh else f"{hours}h"
    days = round(hours / 24)
    if days < 31:
        return f"{days}天" if zh else f"{days}d"
    if days < 365:
        months = round(days / 30)
        return f"{months}个月" if zh else f"{months}mo"
    years = round(days / 365, 1)
    return f"{years:g}年" if zh else f"{years:g}y"
