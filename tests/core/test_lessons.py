"""/today, Done, /plan, /pause and /resume, and the learner's local calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import App
from bot.db.models import Learner, LessonCompletion
from tests.support.chat import Chat, enrol


async def completions(app: App) -> list[str]:
    async with app.sessions() as session:
        return list(
            await session.scalars(select(LessonCompletion.lesson_key).order_by(LessonCompletion.id))
        )


async def test_today_shows_the_lesson_with_focus_and_a_done_button(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    text = await chat.say("/today")
    assert "Day 1 · Python类型系统与类型提示" in text
    assert "Your focus (LLM Application Engineer): 数据验证" in text
    assert [label for label, _ in chat.last_buttons] == ["✅ Done"]


async def test_day_25_of_the_app_track_links_its_reference(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=24)
    text = await chat.say("/today")
    assert "Day 25 · 向量数据库(上): FAISS" in text
    assert "FAISS教程 <https://github.com/facebookresearch/faiss/wiki>" in text
    assert "实现FAISS检索" in text


async def test_done_records_once(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/today")
    done = chat.button("Done")
    text = await chat.press("Done")
    assert "Day 1 done! 1 of 100" in text
    assert await completions(app) == ["ai-fullstack-100/common/1"]
    text = await chat.press_data(done)
    assert "already pressed" in text
    text = await chat.say("/today")
    assert "✅ Completed" in text and chat.replies[0].buttons == ()
    assert await completions(app) == ["ai-fullstack-100/common/1"]


async def test_plan_overview_shows_progress_and_what_comes_next(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat, plan_label="180", track_label=None)
    await chat.say("/today")
    await chat.press("Done")
    chat.advance(days=38)
    text = await chat.say("/plan")
    assert "Day 39 of 180 · 1 lessons done" in text
    assert "Coming up" in text and "Day 40 ·" in text
    stage_lines = [line for line in text.splitlines() if line.startswith(("▶", "✓", "·"))]
    assert stage_lines[0].startswith("✓") and stage_lines[1].startswith("▶")
    text = await chat.say("/today")
    assert "2.2 高性能推理引擎" in text


async def test_pause_freezes_the_day_and_resume_continues(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=2)
    assert "Paused on Day 3" in await chat.say("/pause")
    assert "already paused" in await chat.say("/pause")
    chat.advance(days=10)
    text = await chat.say("/today")
    assert "Day 3 ·" in text and "paused" in text
    assert "continue with Day 3" in await chat.say("/resume")
    chat.advance(days=1)
    assert "Day 4 ·" in await chat.say("/today")
    assert "not paused" in await chat.say("/resume")


async def test_the_day_is_the_learners_local_date_in_shanghai(app: App) -> None:
    # Enrol at 2026-03-02 01:00 UTC = 09:00 in Shanghai: Day 1 is March 2nd there.
    chat = Chat(app.core)
    await enrol(chat, timezone="Asia/Shanghai")
    chat.now = dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC)  # 23:59 Shanghai
    assert "Day 1 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)  # 00:00 March 3rd Shanghai
    assert "Day 2 ·" in await chat.say("/today")


async def test_los_angeles_across_the_spring_dst_change(app: App) -> None:
    # DST starts in Los Angeles on 2026-03-08 at 02:00 (UTC-8 -> UTC-7).
    chat = Chat(app.core, now=dt.datetime(2026, 3, 7, 20, 0, tzinfo=dt.UTC))  # 12:00 PST, Mar 7
    await enrol(chat, timezone="America/Los_Angeles")
    async with app.sessions() as session:
        learner = await session.scalar(select(Learner))
        assert learner is not None and learner.start_date == dt.date(2026, 3, 7)
    chat.now = dt.datetime(2026, 3, 8, 7, 59, tzinfo=dt.UTC)  # 23:59 PST, still Mar 7
    assert "Day 1 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)  # 00:00 PST, Mar 8
    assert "Day 2 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 3, 9, 6, 59, tzinfo=dt.UTC)  # 23:59 PDT, Mar 8 (a 23-hour day)
    assert "Day 2 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC)  # 00:00 PDT, Mar 9
    assert "Day 3 ·" in await chat.say("/today")


async def test_los_angeles_across_the_autumn_dst_change(app: App) -> None:
    # DST ends on 2026-11-01 at 02:00 (UTC-7 -> UTC-8): a 25-hour day.
    chat = Chat(app.core, now=dt.datetime(2026, 10, 31, 19, 0, tzinfo=dt.UTC))  # 12:00 PDT Oct 31
    await enrol(chat, timezone="America/Los_Angeles")
    chat.now = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)  # 00:00 PDT Nov 1
    assert "Day 2 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 11, 2, 7, 59, tzinfo=dt.UTC)  # 23:59 PST Nov 1
    assert "Day 2 ·" in await chat.say("/today")
    chat.now = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # 00:00 PST Nov 2
    assert "Day 3 ·" in await chat.say("/today")


async def test_the_plan_ends_on_its_last_day(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=99)
    assert "Day 100 · 最终复盘与职业规划" in await chat.say("/today")


async def test_early_lessons_show_what_the_plan_says_around_them(app: App) -> None:
    """ai-fullstack-100 Days 1, 2, 4 and 11 are one table row each: the lesson shows the stage
    goal, the week's deliverables and project day, and says the plan gives nothing more."""
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=10)  # Day 11
    for day, project in ((1, 7), (2, 7), (4, 7), (11, 14)):
        text = await chat.say(f"/lesson {day}")
        assert f"Day {day} · " in text
        assert "Stage goal: 所有岗位必学，建立统一的技术基础" in text
        assert (
            "What this part of the plan delivers\n• 异步数据处理工具\n• 容器化的PyTorch推理服务"
            in text
        )
        assert f"📝 Project day: Day {project} · 实战：" in text
        assert "the plan gives only its topic and a focus per track" in text
    # A lesson with its own practice and reading says nothing of the kind.
    chat.advance(days=14)
    text = await chat.say("/lesson 25")
    assert "Stage goal: 精通RAG和Agent技术，能够独立开发AI应用" in text
    assert "gives only its topic" not in text and "Practice for Days" not in text


async def test_a_section_day_without_practice_shows_the_sections_practice(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat, plan_label="180", track_label=None)
    chat.advance(days=2)
    text = await chat.say("/today")
    assert "Day 3 · Transformer架构原理（3/8）" in text
    assert "Practice for Days 1-8\n• 绘制完整的Transformer架构图" in text
    assert "gives only its topic" not in text  # it has topics and references of its own
