"""Nightly maintenance: fit each learner's FSRS parameters to their own reviews with fsrs'
optimizer, when the optional `optimizer` extra (PyTorch) is installed."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Learner, ReviewLogRow
from quizzes.srs import Rating

log = logging.getLogger(__name__)
# Fewer reviews than this and the defaults predict better than a fit would.
MIN_REVIEWS = 400


def optimizer_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


async def learners_with_enough_reviews(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(ReviewLogRow.learner_id)
        .group_by(ReviewLogRow.learner_id)
        .having(func.count() >= MIN_REVIEWS)
    )
    return [row[0] for row in rows]


async def optimise_parameters(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Returns how many learners got new parameters; 0 (with a log line) without the extra."""
    if not optimizer_available():
        log.info("nightly FSRS optimisation skipped: install tutorbot[optimizer] to enable it")
        return 0
    from fsrs import Optimizer, ReviewLog

    async with sessions() as session:
        learner_ids = await learners_with_enough_reviews(session)
    updated = 0
    for learner_id in learner_ids:
        async with sessions() as session, session.begin():
            rows = await session.execute(
                select(
                    ReviewLogRow.card_id,
                    ReviewLogRow.rating,
                    ReviewLogRow.reviewed_at,
                    ReviewLogRow.duration_ms,
                )
                .where(ReviewLogRow.learner_id == learner_id)
                .order_by(ReviewLogRow.reviewed_at)
            )
            logs = [
                ReviewLog(
                    card_id=card_id,
                    rating=Rating(rating),
                    review_datetime=at,
                    review_duration=duration,
                )
                for card_id, rating, at, duration in rows
            ]
            parameters = Optimizer(logs).compute_optimal_parameters()
            learner = await session.get(Learner, learner_id)
            if learner is not None:
                learner.fsrs_parameters = list(parameters)
                updated += 1
    log.info(
        "nightly FSRS optimisation: %d learners updated at %s",
        updated,
        dt.datetime.now(dt.UTC).isoformat(),
    )
    return updated
