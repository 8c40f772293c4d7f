"""A learner's week through the chat, then the retrospective: on demand with /retro and as the
scheduled push from Core.compose."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import App
from bot.core import render_plain
from curriculum import load_plan
from tests.retro.support import learner_id, png_size, quiz_round
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat, enrol

MONDAY = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, ISO week 2026-W10
SUNDAY_EVENING = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)  # Sunday 20:00 in Shanghai


async def week_of_study(app: App) -> tuple[Chat, dict[str, int]]:
    """Lessons done on Monday and Wednesday, quiz rounds on Monday, Wednesday and Friday."""
    await load_test_bank(app)
    chat = Chat(app.core, now=MONDAY)
    await enrol(chat)
    reviews: dict[str, int] = {}

    await chat.say("/today")
    assert "Day 1" in await chat.press("Done")
    monday = await quiz_round(chat, lambda n: True)
    chat.advance(minutes=15)  # the card is due again after its 10-minute learning step
    monday += await quiz_round(chat, lambda n: True)
    reviews["Mon"] = len(monday)

    chat.now = MONDAY + dt.timedelta(days=2)  # Wednesday: Day 3
    await chat.say("/today")
    assert "Day 3" in await chat.press("Done")
    reviews["Wed"] = len(await quiz_round(chat, lambda n: n != 0))

    chat.now = MONDAY + dt.timedelta(days=4, hours=10)  # Friday evening
    reviews["Fri"] = len(await quiz_round(chat, lambda n: False))
    assert reviews == {"Mon": 2, "Wed": 3, "Fri": 3}
    return chat, reviews


def per_day_line(reviews: dict[str, int]) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return "📆 " + " · ".join(f"{day} {reviews.get(day, 0)}" for day in days)


async def test_retro_on_sunday_evening_shows_every_section_with_the_week_numbers(
    app: App,
) -> None:
    chat, reviews = await week_of_study(app)
    chat.now = SUNDAY_EVENING
    text = await chat.say("/retro")

    assert "📅 Week 1 retrospective (Day 1-7)" in text
    assert "2026-W10 · 03-02 – 03-08" in text
    # 🎯 goals: two of the week's seven lessons are done.
    assert "🎯 Goals this week" in text
    assert "📚 Lessons done: 2/7 (Day 1-7)" in text
    assert "✅ Day 1 · Python类型系统与类型提示" in text
    assert "⬜ Day 2 · 异步编程(asyncio/aiohttp)" in text
    assert "✅ Day 3 · 装饰器与上下文管理器" in text
    total = sum(reviews.values())
    # First tries: Monday 1 right, Wednesday 2 of 3 right, Friday 0 of 3 right.
    assert (
        f"🃏 Reviews: {total} on 3 of 7 days · 43% right at each card's first try of the day"
        in text
    )
    assert per_day_line(reviews) in text
    assert "True retention: no mature cards reviewed yet (target 90%)" in text
    # 🧠 the topics of the lessons done (curriculum text stays as it is), not of those skipped.
    learned = text.split("🧠 What was learned")[1].split("💡")[0]
    assert "• Python类型系统与类型提示" in learned and "• 装饰器与上下文管理器" in learned
    assert "异步编程" not in learned and "Pydantic" not in learned
    # 💡 the cards answered wrong, with their explanations.
    assert "💡 Problems and solutions" in text and "Weakest cards this week:" in text
    weak = text.split("Weakest cards this week:")[1].split("📈")[0]
    recall = next(q for q in TEST_BANK if q.kind == "recall")
    # Wrong on Wednesday (first card) and again on Friday: the weakest of the week.
    assert weak.index(recall.stem) < weak.index("wrong 1 of 2 times")
    assert "wrong 2 of 2 times this week · 0 lapses" in weak
    assert f"💡 {recall.explanation}" in weak
    # 📈 the next seven lessons.
    assert "📈 Next week's plan" in text
    for lesson in load_plan("ai-fullstack-100").lessons_for("app")[7:14]:
        assert f"• Day {lesson.day} · {lesson.title}" in text
    assert "Day 15 ·" not in text
    # 🔄 five delivered lessons are not done: catch up.
    assert "🔄 Plan adjustment" in text
    assert "📚 5 delivered lessons are not done yet (Day 2, 4, 5, 6, 7)" in text
    assert "keep the same pace" not in text

    assert len(chat.replies) == 2
    image = chat.replies[1].image
    assert image is not None and image.is_file()
    assert "📊 Daily reviews and retention this week" in render_plain(chat.replies[1].body)


async def test_scheduled_retro_is_the_text_and_a_chart_image(app: App, tmp_path) -> None:
    _, reviews = await week_of_study(app)
    replies = await app.core.compose("learner", await learner_id(app), "retro", SUNDAY_EVENING)
    assert replies is not None and len(replies) == 2
    text, chart = replies
    assert "📚 Lessons done: 2/7 (Day 1-7)" in render_plain(text.body)
    assert per_day_line(reviews) in render_plain(text.body)
    assert text.image is None and chart.image is not None
    assert chart.image.parent.parent == tmp_path / "charts"
    assert chart.image.name == "retro-2026-W10.png"
    width, height = png_size(chart.image)
    assert (width, height) == (880, 528)
    assert 10_000 < chart.image.stat().st_size < 500_000


async def test_a_retro_sent_late_still_covers_the_week_that_ended(app: App) -> None:
    _, reviews = await week_of_study(app)
    monday_after = dt.datetime(2026, 3, 8, 17, 0, tzinfo=dt.UTC)  # Monday 01:00 in Shanghai
    replies = await app.core.compose("learner", await learner_id(app), "retro", monday_after)
    assert replies is not None
    text = render_plain(replies[0].body)
    assert "2026-W10 · 03-02 – 03-08" in text and per_day_line(reviews) in text


async def test_retro_on_demand_mid_week_shows_the_week_so_far(app: App) -> None:
    await load_test_bank(app)
    chat = Chat(app.core, now=MONDAY + dt.timedelta(days=2))  # Wednesday, Day 1
    await enrol(chat)
    await chat.say("/today")
    await chat.press("Done")
    text = await chat.say("/retro")
    assert "Week 1 retrospective (Day 1-5)" in text  # Wednesday is Day 1, Sunday will be Day 5
    assert "📚 Lessons done: 1/5 (Day 1-5)" in text
    assert "✅ Day 1 ·" in text and "⏳ Day 2 ·" in text and "⏳ Day 5 ·" in text
    assert "🃏 No reviews this week." in text
    assert "No weak spots this week. 👍" in text
    assert "✅ You are on track: keep the same pace next week. 💪" in text
    assert "• Day 6 ·" in text and "• Day 12 ·" in text


async def test_retro_speaks_chinese_to_a_chinese_learner(app: App) -> None:
    await load_test_bank(app)
    chat = Chat(app.core, now=MONDAY)
    await enrol(chat, language="中文", track_label="应用")
    assert await quiz_round(chat, lambda n: True) == [True]
    text = await chat.say("/retro")
    assert "📅 第1周学习复盘（Day 1-7）" in text
    for heading in (
        "🎯 本周目标完成情况",
        "🧠 学习收获",
        "💡 遇到的问题与解决方案",
        "📈 下周计划",
        "🔄 计划调整",
    ):
        assert heading in text
    assert "🃏 复习：1 次，7 天中有 1 天复习 · 每张卡片当天首次作答正确率 100%" in text
    # Nothing is marked done: what was learned says so instead of listing the week's lessons.
    learned = text.split("🧠 学习收获")[1].split("💡")[0]
    assert "Python类型系统" not in learned and "本周还没有标记完成的课程" in learned
    assert "📆 周一 1 · 周二 0 · 周三 0 · 周四 0 · 周五 0 · 周六 0 · 周日 0" in text
    assert "📊 本周每日复习量与保持率" in text


@pytest.mark.parametrize("enrolled", [False, True])
async def test_retro_before_enrolling_is_a_friendly_reply(app: App, enrolled: bool) -> None:
    chat = Chat(app.core, now=MONDAY)
    if enrolled:
        await enrol(chat)
        await chat.say("/forget")
        await chat.press("Yes")
    text = await chat.say("/retro")
    assert "Send /start to begin" in text or "发送 /start 开始" in text
    assert all(reply.image is None for reply in chat.replies)


async def test_help_lists_retro(app: App) -> None:
    chat = Chat(app.core, now=MONDAY)
    await enrol(chat)
    assert "/retro — This week's retrospective" in await chat.say("/help")
