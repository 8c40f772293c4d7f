"""/quiz and /progress through the core: every kind, right and wrong, scheduling, bad input."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import CardRow, QuizSessionRow, ReviewLogRow
from bot.services.bank_import import import_questions
from quizzes.model import Question
from quizzes.presentation import option_order
from tests.core.test_bad_input import snapshot
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat, enrol

START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


@pytest.fixture
async def learner(app: App) -> Chat:
    await load_test_bank(app)
    chat = Chat(app.core, now=START)
    await enrol(chat)
    return chat


async def cards(app: App) -> dict[str, CardRow]:
    async with app.sessions() as session:
        return {row.question_id: row for row in await session.scalars(select(CardRow))}


def stem_of(day: int, kind: str) -> str:
    return next(q.stem for q in TEST_BANK if q.day == day and q.kind == kind)


async def test_day_one_quiz_offers_one_new_card_from_the_delivered_lesson(
    app: App, learner: Chat
) -> None:
    text = await learner.say("/quiz")
    assert "1/1 · Day 1" in text
    assert stem_of(1, "choice") in text  # difficulty/id order; its sibling waits for another round
    assert "typing" in text and learner.letter_of("typing") in "ABCD"
    text = await learner.choose("typing")
    assert "✅ Correct!" in text and "Next review in 10m." in text
    assert "Round complete" in text and "1/1 right (100%)" in text
    stored = await cards(app)
    assert len(stored) == 1
    (card,) = stored.values()
    assert card.reps == 1 and card.state == 1


async def test_every_kind_right_and_wrong_across_three_days(app: App, learner: Chat) -> None:
    await learner.say("/quiz")
    letter = learner.letter_of("typing")
    await learner.choose_other_than("typing")  # wrong choice on day 1
    assert "❌ Not quite." in learner.text and f"Answer: {letter}. typing" in learner.text
    assert "Next review in 1m." in learner.text

    learner.now = START + dt.timedelta(days=2)  # day 3: lessons 1-3 delivered
    text = await learner.say("/quiz")
    # The day-1 card is due again first; then one new card for each newly delivered lesson.
    assert "1/3 · Day 1" in text and stem_of(1, "choice") in text
    await learner.choose("typing")
    assert "✅ Correct!" in learner.text
    assert "2/3 · Day 2" in learner.text and stem_of(2, "true_false") in learner.text
    await learner.press("False")
    assert "❌ Not quite." in learner.text and "Answer: True" in learner.text
    assert "3/3 · Day 3" in learner.text and "Type the missing word" in learner.text
    text = await learner.say("  ＷＩＴＨ ")  # full-width, padded, upper case
    assert "✅ Correct!" in text and "Round complete" in text and "2/3 right (67%)" in text

    learner.now = START + dt.timedelta(days=2, hours=1)
    before = await snapshot(app)
    text = await learner.say(
        "/quiz 1"
    )  # practice on day 1: both of its questions, schedule untouched
    assert "1/2 · Day 1 · Python类型系统与类型提示 · practice" in text
    await learner.choose("typing")
    assert "✅ Correct!" in learner.text and "Next review" not in learner.text
    await learner.press("Show answer")
    assert "不会。类型提示只是注解" in learner.text
    await learner.press("Next")
    assert "Round complete" in learner.text
    after = await snapshot(app)
    assert after["cards"] == before["cards"] and after["review_logs"] == before["review_logs"]


async def test_free_recall_rating_buttons_show_intervals_and_schedule(
    app: App, learner: Chat
) -> None:
    await learner.say("/quiz")
    await learner.choose("typing")  # the choice card is now learning, due in 10 minutes
    learner.advance(minutes=1)
    text = await learner.say("/quiz")  # so its sibling, the recall card, is the new one
    assert stem_of(1, "recall") in text
    await learner.press("Show answer")
    labels = [label for label, _ in learner.last_buttons]
    assert labels == ["Again · 1m", "Hard · 6m", "Good · 10m", "Easy · 8d"]
    await learner.press("Easy")
    # The labels show fsrs' exact interval; the stored one carries fsrs' fuzz (a few days either way).
    days = int(re.search(r"Next review in (\d+)d\.", learner.text).group(1))  # type: ignore[union-attr]
    assert 5 <= days <= 11
    stored = await cards(app)
    recall_id = next(q.id for q in TEST_BANK if q.kind == "recall")
    assert stored[recall_id].state == 2  # Easy graduates a new card straight to review


async def test_tomorrow_shows_exactly_the_cards_fsrs_says_are_due(app: App, learner: Chat) -> None:
    learner.now = START + dt.timedelta(days=2)
    await learner.say("/quiz")
    await learner.choose("typing")
    await learner.press("True")
    await learner.say("with")
    assert "Round complete" in learner.text
    learner.now = START + dt.timedelta(days=3)
    stored = await cards(app)
    due = {question_id for question_id, card in stored.items() if card.due <= learner.now}
    assert len(due) == 3
    text = await learner.say("/quiz")
    assert "1/3" in text
    async with app.sessions() as session:
        row = await session.scalar(select(QuizSessionRow).order_by(QuizSessionRow.id.desc()))
    assert row is not None and set(row.queue) == due


async def test_replayed_foreign_and_stale_quiz_presses_record_nothing(
    app: App, learner: Chat
) -> None:
    await learner.say("/quiz")
    answer_a = learner.button(learner.letter_of("typing"))
    bob = Chat(app.core, user="bob", now=START)
    await enrol(bob)
    before = await snapshot(app)
    assert "belong to someone else" in await bob.press_data(answer_a)
    assert await snapshot(app) == before
    await learner.press_data(answer_a)
    after_answer = await snapshot(app)
    assert len(after_answer["review_logs"]) == 1
    assert "already pressed" in await learner.press_data(answer_a)
    assert await snapshot(app) == after_answer


async def test_garbage_typed_answers_change_nothing(app: App, learner: Chat) -> None:
    await learner.say("/quiz")  # a choice card is shown
    before = await snapshot(app)
    assert "answer with the buttons" in await learner.say("typing")
    assert await snapshot(app) == before
    await learner.choose("typing")

    learner.now = START + dt.timedelta(days=2)
    await learner.say("/quiz")
    await learner.choose("typing")
    await learner.press("True")
    assert "Type the missing word" in learner.text
    before = await snapshot(app)
    assert "does not look like an answer" in await learner.say("x" * 500)
    assert await snapshot(app) == before
    assert "✅ Correct!" in await learner.say("with")


async def test_nothing_due_and_unknown_practice(app: App, learner: Chat) -> None:
    await learner.say("/quiz")
    await learner.choose("typing")
    await learner.say("/quiz")
    await learner.press("Show answer")
    await learner.press("Good")
    text = await learner.say("/quiz")  # both day-1 cards are learning; nothing is due yet
    assert "next review is due at 2026-03-02 09:10" in text
    assert "days 1 to 100" in await learner.say("/quiz 101")
    assert "no questions for that" in await learner.say("/quiz Kubernetes")
    assert "too long" in await learner.say("/quiz " + "x" * 100)


async def test_leech_is_suspended_and_explained(app: App, learner: Chat) -> None:
    choice_id = TEST_BANK[0].id
    await learner.say("/quiz")
    await learner.choose("typing")  # learning
    async with app.sessions() as session, session.begin():
        card = await session.scalar(select(CardRow).where(CardRow.question_id == choice_id))
        assert card is not None
        card.lapses = 7
        fsrs_card = dict(card.fsrs_card)
        fsrs_card.update(state=2, step=None, stability=5.0, difficulty=5.0)
        card.fsrs_card, card.state = fsrs_card, 2
    learner.now = START + dt.timedelta(minutes=30)
    await learner.say("/quiz")
    await learner.choose_other_than("typing")  # the 8th lapse
    assert "missed this card 8 times" in learner.text and "类型提示 的要点" in learner.text
    stored = await cards(app)
    assert stored[choice_id].suspended and stored[choice_id].lapses == 8


async def test_progress_reports_streak_states_retention_and_forecast(
    app: App, learner: Chat
) -> None:
    await learner.say("/today")
    await learner.press("Done")
    await learner.say("/quiz")
    await learner.choose("typing")
    text = await learner.say("/progress")
    assert "🔥 Streak: 1 day" in text.splitlines()  # one day, not "1 days"
    assert "Lessons done: 1/100" in text
    assert "1 new · 1 learning · 0 review" in text
    assert "True retention: no review of a mature card in the last 30 days yet" in text
    assert "03-02: 1" in text
    async with app.sessions() as session:
        logs = list(await session.scalars(select(ReviewLogRow)))
    assert len(logs) == 1 and logs[0].correct is True


async def test_questions_added_to_an_exhausted_lesson_still_reach_the_learner(
    app: App, learner: Chat
) -> None:
    await learner.say("/quiz")
    await learner.choose("typing")
    learner.advance(minutes=1)
    await learner.say("/quiz")
    await learner.press("Show answer")
    await learner.press("Good")
    learner.advance(minutes=1)
    assert "next review is due" in await learner.say("/quiz")  # day 1 is exhausted
    extra = Question.from_record(
        {
            "plan": "ai-fullstack-100",
            "track": None,
            "day": 1,
            "topic": "类型提示",
            "kind": "true_false",
            "stem": "typing.Optional[int] 等价于 int | None。",
            "answer": "true",
            "explanation": "PEP 604 写法。",
            "sources": [{"lesson": "ai-fullstack-100/common/1"}],
        }
    )
    async with app.sessions() as session, session.begin():
        report = await import_questions(session, [*TEST_BANK, extra])
    assert (report.added, report.unchanged) == (1, len(TEST_BANK))
    assert extra.stem in await learner.say("/quiz")


async def test_export_and_forget_cover_cards_and_reviews(app: App, learner: Chat) -> None:
    await learner.say("/quiz")
    await learner.choose("typing")
    await learner.say("/export")
    document = learner.replies[0].document
    assert document is not None
    data = json.loads(document.content)
    assert [card["question"] for card in data["cards"]] == [TEST_BANK[0].id]
    assert data["cards"][0]["fsrs_card"]["state"] == 1
    assert [log["rating"] for log in data["review_logs"]] == [3]
    assert data["quiz_sessions"][0]["answered"] == 1
    await learner.say("/forget")
    await learner.press("Yes, delete everything")
    after = await snapshot(app)
    assert after["cards"] == [] and after["review_logs"] == [] and after["quiz_sessions"] == []


# Day 1's lesson is "Python类型系统与类型提示": its title names the answer of each of these.
LEAKY = [
    Question.from_record(
        {
            "plan": "ai-fullstack-100",
            "track": None,
            "day": 1,
            "topic": "PEP 484",
            "kind": kind,
            "stem": stem,
            "answer": answer,
            "explanation": "PEP 484。",
            "sources": [{"lesson": "ai-fullstack-100/common/1"}],
            **extra,
        }
    )
    for kind, stem, answer, extra in [
        ("cloze", "PEP 484 引入的 ____ 让函数签名标注参数和返回值的类型。", "类型提示", {}),
        ("recall", "PEP 484 引入的是什么特性？", "类型提示", {}),
        (
            "choice",
            "PEP 484 引入了哪种特性？",
            "类型提示",
            {"options": ["类型提示", "模式匹配", "海象运算符", "数据类"]},
        ),
    ]
]
DAY_1_TITLE = "Python类型系统与类型提示"


async def test_card_headers_name_the_lesson_and_keep_the_answer_hidden(
    app: App, learner: Chat
) -> None:
    async with app.sessions() as session, session.begin():
        await import_questions(session, [*TEST_BANK, *LEAKY])
    leaky = {question.stem: question for question in LEAKY}
    topics = {question.topic for question in [*TEST_BANK, *LEAKY] if question.day == 1}
    await learner.say("/quiz 1")
    seen, titled = set(), 0
    while "Round complete" not in learner.text:
        header, stem = learner.last_menu_text.splitlines()[:2]
        # The question's own topic points at its key: never in the header.
        assert not any(f"· {topic} ·" in header for topic in topics), header
        question = leaky.get(stem)
        if question is not None:
            seen.add(question.kind)
            assert DAY_1_TITLE not in header, header  # the lesson's title names the answer
            assert header.endswith("Day 1 · practice")
        else:
            assert header.endswith(f"Day 1 · {DAY_1_TITLE} · practice"), header
            titled += 1
        if "Show answer" in [label for label, _ in learner.last_buttons]:
            await learner.press("Show answer")
            await learner.press("Next")
        else:
            await learner.press("I don't know")
    assert seen == {"cloze", "recall", "choice"}
    assert titled


async def test_choice_options_are_shuffled_per_presentation_and_graded_right(
    app: App, learner: Chat
) -> None:
    bank_order = list(TEST_BANK[0].options)
    orders = []
    for _ in range(6):
        await learner.say("/quiz 1")
        assert TEST_BANK[0].stem in learner.text
        shown = re.findall(r"^[A-F]\. (.+)$", learner.text, re.MULTILINE)
        assert sorted(shown) == sorted(bank_order)
        orders.append(shown)
        assert "✅ Correct!" in await learner.choose("typing")
    assert any(order != bank_order for order in orders)
    assert len({tuple(order) for order in orders}) > 1


async def test_a_wrong_choice_names_the_letter_the_learner_saw(app: App, learner: Chat) -> None:
    for _ in range(4):
        await learner.say("/quiz 1")
        letter = learner.letter_of("typing")
        text = await learner.choose_other_than("typing")
        assert "❌ Not quite." in text and f"Answer: {letter}. typing" in text


def test_the_order_of_a_presentation_is_the_same_in_every_process() -> None:
    # Derived from the presentation's seed alone (no per-process hash salt), so a restarted bot
    # shows and grades the card it showed before the restart the same way.
    first = option_order(TEST_BANK[0], "quiz:1:0")
    assert first == option_order(TEST_BANK[0], "quiz:1:0")
    assert sorted(first) == [0, 1, 2, 3]
    assert first == (0, 2, 1, 3)  # pinned: a per-process salt would change it
