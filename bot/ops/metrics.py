"""The bot's Prometheus metrics, in a registry of their own (served at /metrics).

Counters and histograms are updated where things happen (the dispatcher, the quiz, /ask); the
outbox gauges are read from the database at each scrape, so every replica reports the same
backlog however the work is shared.
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.schedule_models import FAILED, PENDING, Delivery

REGISTRY = CollectorRegistry(auto_describe=True)

PUSHES = Counter(
    "tutorbot_pushes",
    "Pushes the dispatcher handled, by platform and outcome: sent, failed (retried later), "
    "dead (given up, or the recipient blocked the bot), skipped (recipient left or paused).",
    ["platform", "outcome"],
    registry=REGISTRY,
)
DISPATCH_BUDGET = Gauge(
    "tutorbot_dispatch_budget_per_second",
    "The overall sending rate a platform allows, shared by every dispatcher process.",
    ["platform"],
    registry=REGISTRY,
)
OUTBOX_DUE = Gauge(
    "tutorbot_outbox_due",
    "Outbox rows due now and not yet sent (pending or waiting for a retry), by platform.",
    ["platform"],
    registry=REGISTRY,
)
OUTBOX_LAG = Gauge(
    "tutorbot_outbox_lag_seconds",
    "How long the oldest due outbox row has been waiting, by platform (0 when none waits).",
    ["platform"],
    registry=REGISTRY,
)
QUIZ_ANSWERS = Counter(
    "tutorbot_quiz_answers",
    "Quiz answers recorded: right, wrong, or self-rated (free recall).",
    ["result"],
    registry=REGISTRY,
)
ASK_SECONDS = Histogram(
    "tutorbot_ask_seconds",
    "From a question to its complete answer, by mode (llm or extractive).",
    ["mode"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
    registry=REGISTRY,
)
LLM_ERRORS = Counter(
    "tutorbot_llm_errors",
    "Answers the model could not give (timeout or error); the passages went out instead.",
    ["reason"],
    registry=REGISTRY,
)
LLM_FIRST_TOKEN = Histogram(
    "tutorbot_llm_first_token_seconds",
    "From the request to the model until its first text.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
    registry=REGISTRY,
)


def push_outcome(platform: str, outcome: str) -> None:
    PUSHES.labels(platform, outcome).inc()


def quiz_answer(result: str) -> None:
    QUIZ_ANSWERS.labels(result).inc()


async def refresh_outbox(sessions: async_sessionmaker[AsyncSession], now: dt.datetime) -> None:
    """Due rows and the oldest one's wait, per platform (served by the state index)."""
    query = (
        select(Delivery.platform, func.count(), func.min(Delivery.next_attempt_at))
        .where(Delivery.state.in_((PENDING, FAILED)), Delivery.next_attempt_at <= now)
        .group_by(Delivery.platform)
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    seen = set()
    for platform, count, oldest in rows:
        seen.add(platform)
        OUTBOX_DUE.labels(platform).set(count)
        if oldest.tzinfo is None:  # SQLite returns naive UTC from an aggregate
            oldest = oldest.replace(tzinfo=dt.UTC)
        OUTBOX_LAG.labels(platform).set(max(0.0, (now - oldest).total_seconds()))
    # A platform whose backlog emptied reads 0, not its last value.
    for gauge in (OUTBOX_DUE, OUTBOX_LAG):
        for (platform,) in list(gauge._metrics):  # noqa: SLF001 - the labels seen so far
            if platform not in seen:
                gauge.labels(platform).set(0)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
