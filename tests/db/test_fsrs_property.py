"""Property: whatever the ratings, the stored schedule equals `fsrs.Scheduler.review_card`'s."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import build_app
from bot.db.models import CardRow, Learner, QuestionRow
from bot.services import reviews
from bot.settings import Settings
from quizzes.srs import Card, Rating, Scheduler
from tests.support.bank import TEST_BANK, load_test_bank

T0 = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
ratings = st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=12)
gaps = st.lists(st.integers(min_value=0, max_value=60 * 24 * 40), min_size=12, max_size=12)


async def replay(
    url: str, sequence: list[Rating], minutes: list[int], seed: int
) -> tuple[dict, dict]:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    try:
        await load_test_bank(app)
        async with app.sessions() as session, session.begin():
            learner = Learner(
                platform="console",
                platform_user_id=f"p{seed}",
                display_name="p",
                language="en",
                timezone="UTC",
                push_time=dt.time(8),
                plan="ai-fullstack-100",
                track="app",
                start_date=T0.date(),
                anchor_date=T0.date(),
            )
            session.add(learner)
            await session.flush()
            question = await session.get(QuestionRow, TEST_BANK[0].id)
            assert question is not None
            reference = Card(due=T0)
            now = T0
            scheduler: Scheduler = reviews.scheduler_for(learner, app.settings.quiz)
            for step, rating in enumerate(sequence):
                now = now + dt.timedelta(minutes=minutes[step])
                random.seed(
                    seed + step
                )  # fsrs fuzzes intervals with `random`: same seed, same fuzz
                await reviews.record_review(
                    session, learner, question, rating, None, now, 1000, app.settings.quiz
                )
                random.seed(seed + step)
                reference, _ = scheduler.review_card(
                    reference, rating, review_datetime=now, review_duration=1000
                )
            stored = await session.scalar(select(CardRow).where(CardRow.learner_id == learner.id))
            assert stored is not None
            reference_dict = reference.to_dict()
            reference_dict["card_id"] = stored.fsrs_card["card_id"]
            return stored.fsrs_card, reference_dict
    finally:
        await app.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ratings, minutes=gaps, seed=st.integers(min_value=0, max_value=10_000))
def test_stored_schedule_equals_fsrs(
    sequence: list[Rating], minutes: list[int], seed: int, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"property-{seed}-{len(sequence)}.db"
    shutil.copy(sqlite_template, path)
    try:
        stored, expected = asyncio.run(
            replay(f"sqlite+aiosqlite:///{path}", sequence, minutes, seed)
        )
    finally:
        path.unlink(missing_ok=True)
    assert stored == expected
