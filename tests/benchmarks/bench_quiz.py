"""Quiz scheduling on PostgreSQL: next-card selection and answer recording, p50/p95 in ms,
at 0.5 million cards (100 learners x 5,000) and at 5 million (1,000 x 5,000).

Uses TUTORBOT_BENCH_POSTGRES_URL (default: a `tutorbot_bench` database on 127.0.0.1, recreated).
Prints one JSON line per measurement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import statistics
import time

from sqlalchemy import select, text

from bot.app import build_app
from bot.db.engine import create_engine
from bot.db.models import Learner, QuestionRow
from bot.services import reviews
from bot.services.curriculum_sync import all_lessons, sync_curriculum
from bot.settings import Settings
from quizzes.srs import Rating, State
from tests.benchmarks import pg

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tutorbot_bench"
CARDS_PER_LEARNER = 5_000
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SAMPLES = 300


async def seed_questions(url: str) -> list[tuple[str, str]]:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    lessons = all_lessons()
    rows: list[tuple[str, str]] = []
    async with app.sessions() as session, session.begin():
        await sync_curriculum(session)
        for number in range(CARDS_PER_LEARNER):
            lesson = lessons[number % len(lessons)]
            question_id = f"{number:016x}"
            session.add(
                QuestionRow(
                    id=question_id,
                    plan=lesson.plan,
                    track=lesson.track,
                    day=lesson.day,
                    lesson_key=lesson.key,
                    topic="t",
                    kind="true_false",
                    language="zh",
                    stem=f"bench {number}",
                    options=[],
                    answer="true",
                    accepted=[],
                    explanation="e",
                    sources=[],
                    difficulty=3,
                    provenance="structural",
                    version=1,
                    content_hash=question_id,
                    retired=False,
                )
            )
            rows.append((question_id, lesson.key))
    await app.close()
    return rows


async def load_learners(url: str, first: int, count: int, questions: list[tuple[str, str]]) -> None:
    """Learners with one reviewed card per question, due times spread over ±30 days, each card
    created weeks ago and reviewed once before (so the daily counts look like a real day's and
    `review_logs` holds as many rows as `cards`); COPY for speed."""
    connection = await pg.connect(url)
    try:
        await pg.copy_learners(
            connection,
            range(first, first + count),
            "bench",
            lambda i: "Asia/Shanghai",
            lambda i: dt.time(8),
            NOW,
        )
        rng = random.Random(first)
        for learner_id in range(first, first + count):
            records, logs = [], []
            for offset, (question_id, lesson_key) in enumerate(questions):
                due = NOW + dt.timedelta(minutes=rng.randint(-30 * 1440, 30 * 1440))
                last_review = min(due, NOW) - dt.timedelta(days=12)
                card_id = learner_id * CARDS_PER_LEARNER + offset
                fsrs_card = {
                    "card_id": card_id,
                    "state": int(State.Review),
                    "step": None,
                    "stability": 12.0,
                    "difficulty": 5.0,
                    "due": due.isoformat(),
                    "last_review": last_review.isoformat(),
                }
                records.append(
                    (
                        card_id,
                        learner_id,
                        question_id,
                        lesson_key,
                        json.dumps(fsrs_card),
                        due,
                        int(State.Review),
                        3,
                        0,
                        False,
                        last_review - dt.timedelta(days=20),
                    )
                )
                logs.append(
                    (card_id, card_id, learner_id, 3, last_review, 6000, int(State.Review), True)
                )
            await connection.copy_records_to_table(
                "cards",
                columns=[
                    "id",
                    "learner_id",
                    "question_id",
                    "lesson_key",
                    "fsrs_card",
                    "due",
                    "state",
                    "reps",
                    "lapses",
                    "suspended",
                    "created_at",
                ],
                records=records,
            )
            await connection.copy_records_to_table(
                "review_logs",
                columns=[
                    "id",
                    "card_id",
                    "learner_id",
                    "rating",
                    "reviewed_at",
                    "duration_ms",
                    "state_before",
                    "correct",
                ],
                records=logs,
            )
        for table in ("cards", "review_logs"):  # COPY gave explicit ids; move the sequences on
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        await connection.execute("ANALYZE cards; ANALYZE learners; ANALYZE review_logs")
    finally:
        await connection.close()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
    }


async def measure(url: str, learners: int, cards: int) -> None:
    app = build_app(Settings(_env_file=None), url)  # type: ignore[call-arg]
    rng = random.Random(learners)
    selection: list[float] = []
    recording: list[float] = []
    sampled = [rng.randrange(1, learners + 1) for _ in range(SAMPLES)]
    try:
        # Steady state: each learner's new-card frontier is where earlier sessions left it.
        for learner_id in set(sampled):
            async with app.sessions() as session, session.begin():
                learner = await session.get(Learner, learner_id)
                assert learner is not None
                await reviews.build_queue(session, learner, NOW, 10, app.settings.quiz)
        for learner_id in sampled:
            async with app.sessions() as session, session.begin():
                learner = await session.get(Learner, learner_id)
                assert learner is not None
                started = time.perf_counter()
                queue = await reviews.build_queue(session, learner, NOW, 10, app.settings.quiz)
                selection.append((time.perf_counter() - started) * 1000)
                question = await session.get(QuestionRow, queue[0])
                assert question is not None
                started = time.perf_counter()
                await reviews.record_review(
                    session, learner, question, Rating.Good, True, NOW, 4000, app.settings.quiz
                )
                await session.flush()
                recording.append((time.perf_counter() - started) * 1000)
                await session.rollback()  # keep the data set identical between samples
    finally:
        await app.close()
    rss_mb = pg.peak_rss_mb()
    for name, samples in (
        ("quiz_next_card_selection", selection),
        ("quiz_answer_recording", recording),
    ):
        print(
            json.dumps(
                {
                    "benchmark": name,
                    "database": "postgresql",
                    "learners": learners,
                    "cards": cards,
                    "samples": len(samples),
                    **percentiles(samples),
                    "goal_p95_ms": 10,
                    "peak_rss_mb": rss_mb,
                    # The machine is shared: a busy neighbour shows here, not as a slower query.
                    "load_avg": round(os.getloadavg()[0], 1),
                }
            ),
            flush=True,
        )


async def run() -> None:
    url = os.environ.get("TUTORBOT_BENCH_POSTGRES_URL", DEFAULT_URL)
    await pg.recreate(url)
    questions = await seed_questions(url)
    for learners in (100, 1_000):
        started = time.perf_counter()
        loaded = await _count_learners(url)
        await load_learners(url, loaded + 1, learners - loaded, questions)
        print(
            json.dumps(
                {
                    "benchmark": "quiz_bulk_load",
                    "learners": learners,
                    "cards": learners * CARDS_PER_LEARNER,
                    "seconds": round(time.perf_counter() - started, 1),
                }
            ),
            flush=True,
        )
        await measure(url, learners, learners * CARDS_PER_LEARNER)


async def _count_learners(url: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        count = await connection.scalar(select(text("count(*)")).select_from(text("learners")))
    await engine.dispose()
    return int(count or 0)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
