"""The suggested adjustment: fewer new cards when true retention falls below the target, catching
up when delivered lessons pile up undone, the same pace otherwise; and leeches under problems."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import App
from bot.db.models import CardRow, LessonCompletion, ReviewLogRow
from bot.services.retros import CATCH_UP, FEWER_NEW, KEEP_GOING, suggest_adjustments
from bot.settings import RetroSettings
from curriculum import load_plan
from quizzes.srs import Rating, State
from tests.retro.support import learner_id
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat, enrol

MONDAY = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
SUNDAY_EVENING = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
RULES = RetroSettings(backlog_lessons=3, min_retention_reviews=5)


def codes(*args: object) -> list[str]:
    return [adjustment.code for adjustment in suggest_adjustments(*args)]  # type: ignore[arg-type]


def test_the_rules() -> None:
    assert codes(0.8, 10, 0.9, 10, [], RULES) == [FEWER_NEW]
    assert codes(0.9, 10, 0.9, 10, [], RULES) == [KEEP_GOING]  # at the target is fine
    assert codes(0.2, 4, 0.9, 10, [], RULES) == [KEEP_GOING]  # too few reviews to judge
    assert codes(None, 0, 0.9, 10, [], RULES) == [KEEP_GOING]
    assert codes(0.95, 10, 0.9, 10, [2, 3, 4], RULES) == [KEEP_GOING]  # three missed: not yet
    assert codes(0.95, 10, 0.9, 10, [2, 3, 4, 5], RULES) == [CATCH_UP]
    assert codes(0.5, 8, 0.9, 10, [1, 2, 3, 4, 5, 6, 7], RULES) == [FEWER_NEW, CATCH_UP]
    (fewer,) = suggest_adjustments(0.5, 8, 0.85, 12, [], RULES)
    assert (fewer.retention, fewer.target, fewer.new_per_day, fewer.suggested_new_per_day) == (
        0.5,
        0.85,
        12,
        6,
    )
    (catch_up,) = suggest_adjustments(None, 0, 0.9, 10, list(range(1, 12)), RULES)
    assert catch_up.backlog == 11 and catch_up.missed_days == (1, 2, 3, 4, 5)


async def enrolled_learner(app: App) -> tuple[Chat, int]:
    await load_test_bank(app)
    chat = Chat(app.core, now=MONDAY)
    await enrol(chat)
    return chat, await learner_id(app)


async def complete_days(app: App, learner: int, days: range) -> None:
    lessons = load_plan("ai-fullstack-100").lessons_for("app")
    async with app.sessions() as session, session.begin():
        for day in days:
            session.add(
                LessonCompletion(
                    learner_id=learner,
                    lesson_key=lessons[day - 1].key,
                    plan="ai-fullstack-100",
                    day=day,
                    completed_at=MONDAY + dt.timedelta(days=day - 1, hours=1),
                )
            )


async def mature_reviews(
    app: App, learner: int, outcomes: list[tuple[int, int, bool]], suspended: int | None = None
) -> None:
    """Review-state cards for the bank questions; outcomes are (question index, day offset,
    remembered). The question at index `suspended` is a leech."""
    async with app.sessions() as session, session.begin():
        cards = {}
        for index, question in enumerate(TEST_BANK):
            card = CardRow(
                learner_id=learner,
                question_id=question.id,
                lesson_key=f"ai-fullstack-100/common/{question.day}",
                fsrs_card={},
                due=SUNDAY_EVENING + dt.timedelta(days=3),
                state=int(State.Review),
                reps=5,
                lapses=8 if index == suspended else 1,
                suspended=index == suspended,
                created_at=MONDAY - dt.timedelta(days=20),
            )
            session.add(card)
            cards[index] = card
        await session.flush()
        for index, offset, remembered in outcomes:
            session.add(
                ReviewLogRow(
                    card_id=cards[index].id,
                    learner_id=learner,
                    rating=int(Rating.Good if remembered else Rating.Again),
                    reviewed_at=MONDAY + dt.timedelta(days=offset),
                    duration_ms=4000,
                    state_before=int(State.Review),
                    correct=remembered,
                )
            )


async def test_low_true_retention_suggests_fewer_new_cards(app: App) -> None:
    chat, learner = await enrolled_learner(app)
    await complete_days(app, learner, range(1, 8))
    # Monday: 4 of 5 forgotten; Wednesday: 2 remembered -> 3 of 7 = 43%.
    await mature_reviews(
        app,
        learner,
        [(0, 0, False), (1, 0, False), (2, 0, False), (3, 0, False), (4, 0, True)]
        + [(0, 2, True), (1, 2, True)],
        suspended=3,
    )
    chat.now = SUNDAY_EVENING
    text = await chat.say("/retro")
    assert "📚 Lessons done: 7/7 (Day 1-7)" in text
    assert "🎯 True retention: 43% (target 90%)" in text
    assert (
        "📉 True retention 43% is below your target 90%: take fewer new cards next week "
        "(at most 5 a day instead of 10) and clear your due reviews first."
    ) in text
    assert "delivered lessons are not done" not in text and "keep the same pace" not in text
    # The leech is listed with its explanation.
    leech = TEST_BANK[3]
    problems = text.split("🩹 Leeches (suspended after repeated lapses): 1")[1]
    assert f"❓ {leech.stem}" in problems and "8 lapses" in problems
    assert f"💡 {leech.explanation}" in problems


async def test_good_retention_and_lessons_done_keep_the_pace(app: App) -> None:
    chat, learner = await enrolled_learner(app)
    await complete_days(app, learner, range(1, 6))  # two missed (Day 6, 7): within the limit
    # 5 of 6 remembered (83%) is below 90%; 6 of 6 on the next day's reviews lifts it to 91%.
    await mature_reviews(
        app,
        learner,
        [(index, 1, True) for index in range(5)]
        + [(0, 3, False)]
        + [(index, 4, True) for index in range(5)],
    )
    chat.now = SUNDAY_EVENING
    text = await chat.say("/retro")
    assert "🎯 True retention: 91% (target 90%)" in text
    assert "✅ You are on track: keep the same pace next week. 💪" in text
    assert "take fewer new cards" not in text and "not done yet" not in text
    assert "Leeches" not in text


@pytest.mark.parametrize(("done", "advice"), [(3, "4 delivered lessons"), (4, "keep the same")])
async def test_lessons_piling_up_suggest_catching_up(app: App, done: int, advice: str) -> None:
    chat, learner = await enrolled_learner(app)
    await complete_days(app, learner, range(1, done + 1))
    chat.now = SUNDAY_EVENING
    text = await chat.say("/retro")
    assert advice in text
    if done == 3:
        assert "📚 4 delivered lessons are not done yet (Day 4, 5, 6, 7)" in text
