"""A study group's retrospective in its channel: the leaderboard, the group's own lessons."""

from __future__ import annotations

import datetime as dt

from bot.app import App
from bot.core import render_plain
from bot.db.models import CardRow, Learner, LessonCompletion, ReviewLogRow
from bot.db.schedule_models import Group, GroupMember, GroupQuizAnswer
from curriculum import load_plan
from quizzes.srs import Rating, State
from tests.retro.support import png_size
from tests.support.bank import TEST_BANK, load_test_bank

MONDAY = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
SUNDAY_EVENING = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)


async def study_group(app: App) -> int:
    """Ada: 10 reviews (3 forgotten), 5 points. Bob: 3 reviews this week (one more the Sunday
    before), 2 lessons (worth 5 each, as /leaderboard counts them). Cy: nothing this week, 20
    points. Dee reviews a lot but is no member."""
    await load_test_bank(app)
    lessons = load_plan("ai-fullstack-100").lessons_for("app")
    async with app.sessions() as session, session.begin():
        group = Group(
            platform="console",
            chat_id="study-room",
            title="Study room",
            language="en",
            timezone="Asia/Shanghai",
            plan="llm-app-180",
            start_date=MONDAY.date(),
            anchor_date=MONDAY.date(),
        )
        people = {
            name: Learner(
                platform="console",
                platform_user_id=name.lower(),
                display_name=name,
                language="en",
                plan="ai-fullstack-100",
                track="app",
                start_date=MONDAY.date(),
                anchor_date=MONDAY.date(),
            )
            for name in ("Ada", "Bob", "Cy", "Dee")
        }
        session.add_all([group, *people.values()])
        await session.flush()
        for name, points in (("Ada", 5), ("Bob", 0), ("Cy", 20)):
            session.add(
                GroupMember(
                    group_id=group.id, learner_id=people[name].id, points=points, joined_at=MONDAY
                )
            )
            # The week's points are its right group-quiz answers.
            session.add_all(
                GroupQuizAnswer(
                    group_id=group.id,
                    post_token=f"post-{number}",
                    question_id=TEST_BANK[0].id,
                    learner_id=people[name].id,
                    correct=True,
                    answered_at=MONDAY + dt.timedelta(hours=number),
                )
                for number in range(points)
            )
        cards = {}
        for name, learner in people.items():
            for question in TEST_BANK:
                card = CardRow(
                    learner_id=learner.id,
                    question_id=question.id,
                    lesson_key=f"ai-fullstack-100/common/{question.day}",
                    fsrs_card={},
                    due=SUNDAY_EVENING,
                    state=int(State.Review),
                    reps=3,
                    lapses=0,
                    suspended=False,
                    created_at=MONDAY - dt.timedelta(days=10),
                )
                session.add(card)
                cards[name, question.id] = card
        await session.flush()

        def review(name: str, index: int, moment: dt.datetime, remembered: bool) -> None:
            session.add(
                ReviewLogRow(
                    card_id=cards[name, TEST_BANK[index].id].id,
                    learner_id=people[name].id,
                    rating=int(Rating.Good if remembered else Rating.Again),
                    reviewed_at=moment,
                    state_before=int(State.Review),
                    correct=remembered,
                )
            )

        for number in range(10):
            review(
                "Ada", number % 5, MONDAY + dt.timedelta(days=number % 3), number not in {0, 5, 7}
            )
        for number in range(3):
            review("Bob", 2, MONDAY + dt.timedelta(days=4, minutes=number), True)
        review("Bob", 2, MONDAY - dt.timedelta(days=1), True)  # the week before
        for number in range(30):
            review("Dee", 1, MONDAY + dt.timedelta(days=1, minutes=number), False)
        for day in (1, 2):
            session.add(
                LessonCompletion(
                    learner_id=people["Bob"].id,
                    lesson_key=lessons[day - 1].key,
                    plan="ai-fullstack-100",
                    day=day,
                    completed_at=MONDAY + dt.timedelta(days=day),
                )
            )
        return group.id


async def test_group_retro_ranks_members_and_shows_the_group_s_lessons(app: App) -> None:
    group_id = await study_group(app)
    replies = await app.core.compose("group", group_id, "retro", SUNDAY_EVENING)
    assert replies is not None and len(replies) == 2
    text = render_plain(replies[0].body)
    assert "📅 Week 1 retrospective (Day 1-7)" in text
    board = text.split("🏆 Leaderboard")[1].split("🎯")[0].strip().splitlines()
    assert board == [
        "🥇 Cy — 20 points (0 reviews · 0 lessons · 20 quiz points)",
        "🥈 Ada — 15 points (10 reviews · 0 lessons · 5 quiz points)",
        "🥉 Bob — 13 points (3 reviews · 2 lessons · 0 quiz points)",
    ]
    assert "Dee" not in text
    plan = load_plan("llm-app-180").lessons_for(None)
    assert "🎯 The group's lessons this week" in text
    for lesson in plan[:7]:
        assert f"📖 Day {lesson.day} · {lesson.title}" in text
    for lesson in plan[7:14]:
        assert f"• Day {lesson.day} · {lesson.title}" in text
    assert "🃏 Reviews: 13 on 4 of 7 days" in text  # members only, this week only
    assert "📆 Mon 4 · Tue 3 · Wed 3 · Thu 0 · Fri 3 · Sat 0 · Sun 0" in text
    # The card the members forgot most this week, across members.
    weak = text.split("Weakest cards this week:")[1]
    assert weak.strip().startswith(f"❓ {TEST_BANK[0].stem}")
    assert "Plan adjustment" not in text  # advice is personal
    assert replies[1].image is not None
    assert png_size(replies[1].image) == (880, 528)
    assert replies[1].image.parent.name == f"group-{group_id}"
