"""Catching up: /lesson N (and /today N) opens any day that has come, /backlog lists the past
lessons not done, and the plan ends with congratulations instead of its last day again."""

from __future__ import annotations

import datetime as dt

from bot.app import App
from bot.core import render_plain
from tests.retro.support import learner_id
from tests.support.bank import load_test_bank
from tests.support.chat import Chat, enrol


async def test_lesson_n_opens_a_past_day_with_its_own_done_button(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=4)  # Day 5
    text = await chat.say("/lesson 3")
    assert "Day 3 · 装饰器与上下文管理器" in text
    assert [label for label, _ in chat.last_buttons] == ["✅ Done"]
    text = await chat.press("Done")
    assert "🎉 Day 3 done! 1 of 100 lessons completed." in text
    assert "See you tomorrow" not in text
    assert "📚 3 more past lessons to catch up: /backlog" in text  # Days 1, 2 and 4
    assert "Day 2 · 异步编程(asyncio/aiohttp)" in await chat.say("/today 2")
    assert "Day 5 · 生成器与迭代器" in await chat.say("/lesson 5")  # today's, by number
    assert "✅ Completed" in await chat.say("/lesson 3")


async def test_lesson_n_refuses_days_that_have_not_come_and_bad_numbers(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=4)
    assert "Day 9 has not come yet: you are on Day 5" in await chat.say("/lesson 9")
    assert "Your plan has days 1 to 100" in await chat.say("/today 101")
    assert "Your plan has days 1 to 100" in await chat.say("/lesson 0")
    for bad in ("²", "three", "-2", "9" * 40):
        assert "Usage: /lesson 3" in await chat.say(f"/lesson {bad}")


async def test_backlog_lists_the_past_lessons_not_done_with_buttons(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/today")
    await chat.press("Done")  # Day 1 done on its day
    assert "Nothing to catch up" in await chat.say("/backlog")
    chat.advance(days=4)  # Day 5: Days 2, 3 and 4 are behind and not done
    text = await chat.say("/backlog")
    assert "📚 3 past lessons not done yet" in text
    assert "Day 2 · 异步编程(asyncio/aiohttp)" in text and "Day 4 · Pydantic数据验证" in text
    assert "Day 1 ·" not in text and "Day 5 ·" not in text  # done, and today's
    assert [label for label, _ in chat.last_buttons] == ["Day 2", "Day 3", "Day 4"]
    assert "Day 3 · 装饰器与上下文管理器" in await chat.press("Day 3")
    await chat.press("Done")
    await chat.say("/lesson 2")
    await chat.press("Done")
    text = await chat.say("/lesson")  # /lesson alone is the backlog
    assert "📚 1 past lesson not done yet" in text and "Day 4 ·" in text


async def test_a_learner_past_the_plans_end_is_congratulated_not_shown_the_last_day(
    app: App,
) -> None:
    chat = Chat(app.core)
    await enrol(chat, plan_label="180", track_label=None)
    await chat.say("/today")
    await chat.press("Done")
    chat.advance(days=289)  # Day 290 of a 180-day plan
    text = await chat.say("/today")
    assert "Day 180" not in text
    assert "🎓 You have reached the end of" in text
    assert "All 180 days are behind you; you marked 1 of them done." in text
    assert "📚 /backlog — 179 lessons are not marked done yet" in text
    assert "Day 180 · " in await chat.say("/lesson 180")  # still there to open
    assert "📚 179 past lessons not done yet" in await chat.say("/backlog")


async def test_the_daily_push_after_the_end_congratulates_once_then_only_reminds(
    app: App,
) -> None:
    await load_test_bank(app)
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/quiz")
    await chat.press("I don't know")  # one card, due again soon
    learner = await learner_id(app)
    last_day = chat.now + dt.timedelta(days=99)
    (*_, lesson) = await app.core.compose("learner", learner, "daily", last_day) or []
    assert "Day 100 ·" in render_plain(lesson.body)
    replies = await app.core.compose("learner", learner, "daily", last_day + dt.timedelta(days=1))
    assert replies is not None
    text = "\n".join(render_plain(reply.body) for reply in replies)
    assert "🎓 You have reached the end of" in text and "Day 100" not in text
    later = await app.core.compose("learner", learner, "daily", last_day + dt.timedelta(days=190))
    assert later is not None
    assert [render_plain(reply.body) for reply in later] == ["🃏 1 review is due: /quiz"]


async def test_streak_and_due_counts_take_the_singular_for_one(app: App) -> None:
    await load_test_bank(app)
    for language, streak in (("English", "🔥 Streak: 1 day"), ("中文", "🔥 连续学习：1 天")):
        chat = Chat(app.core, user=language)
        await enrol(
            chat, language=language, track_label="应用" if language == "中文" else "Application"
        )
        await chat.say("/today")
        await chat.press("Done" if language == "English" else "完成")
        text = await chat.say("/progress")
        assert streak in text.splitlines(), text
