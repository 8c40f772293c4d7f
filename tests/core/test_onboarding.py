"""/start onboarding, re-running /start, and the settings it leads to — through the core."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import ButtonMenu, Learner
from tests.support.chat import Chat, enrol


async def learner_row(app: App, user: str = "alice") -> Learner | None:
    async with app.sessions() as session:
        return await session.scalar(select(Learner).where(Learner.platform_user_id == user))


async def test_onboarding_with_buttons_enrols_the_learner(app: App) -> None:
    chat = Chat(app.core)
    text = await chat.say("/start")
    assert "欢迎使用 tutorbot" in text  # Chinese before a language is chosen
    await chat.press("English")
    assert "Which study plan" in chat.text
    await chat.press("100 days")
    assert "Which track" in chat.text
    await chat.press("Algorithm")
    await chat.press("America/Los_Angeles")
    assert "what local time" in chat.text
    text = await chat.press("21:00")
    assert "You're all set!" in text
    assert "Today is Day 1" in text and "21:00 (America/Los_Angeles)" in text

    learner = await learner_row(app)
    assert learner is not None
    assert (learner.plan, learner.track, learner.language) == ("ai-fullstack-100", "algo", "en")
    assert learner.timezone == "America/Los_Angeles"
    assert learner.push_time == dt.time(21, 0)
    # 2026-03-02 01:00 UTC is still March 1st in Los Angeles.
    assert learner.start_date == dt.date(2026, 3, 1)
    assert learner.next_lesson_day == 1 and not learner.paused and learner.active


async def test_180_day_plan_skips_the_track_question(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat, plan_label="180 days", track_label=None)
    learner = await learner_row(app)
    assert learner is not None and learner.plan == "llm-app-180" and learner.track is None


async def test_typed_timezone_and_time(app: App) -> None:
    chat = Chat(app.core)
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("180")
    await chat.press("其他")
    assert "IANA" in chat.text
    text = await chat.say("europe/paris")
    assert "几点" in text
    await chat.press("其他")
    text = await chat.say("０６：４５")  # full-width, as Chinese input methods type it
    assert "设置完成" in text
    learner = await learner_row(app)
    assert learner is not None
    assert learner.timezone == "Europe/Paris" and learner.push_time == dt.time(6, 45)


async def test_rerunning_start_shows_enrolment_and_offers_changes(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    text = await chat.say("/start")
    assert "Welcome back" in text
    assert "Plan: AI Full-Stack Engineer · 100 days" in text
    assert "Track: LLM Application Engineer" in text
    labels = [label for label, _ in chat.last_buttons]
    assert {"Timezone", "Daily lesson time", "Language", "Plan", "Track", "Pause"} <= set(labels)


async def test_switching_plan_asks_for_confirmation_and_restarts(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    chat.advance(days=5)
    await chat.say("/settings")
    await chat.press("Plan")
    await chat.press("180 days")
    assert "restart at Day 1" in chat.text
    await chat.press("Cancel")
    assert "Nothing was changed" in chat.text
    learner = await learner_row(app)
    assert learner is not None and learner.plan == "ai-fullstack-100"

    await chat.say("/settings")
    await chat.press("Plan")
    await chat.press("180 days")
    await chat.press("Yes, switch")
    assert "Today is Day 1" in chat.text
    learner = await learner_row(app)
    assert learner is not None
    assert (learner.plan, learner.track, learner.next_lesson_day) == ("llm-app-180", None, 1)


async def test_language_follows_the_platform_hint_before_onboarding(app: App) -> None:
    chat = Chat(app.core, locale_hint="en-US")
    text = await chat.say("/start")
    assert "Welcome to tutorbot!" in text and "欢迎" not in text
    assert chat.last_menu_text == "Which language should I use?"
    chinese = Chat(app.core, user="bo", locale_hint="zh-hans")
    text = await chinese.say("/start")
    assert "欢迎使用 tutorbot" in text and "Welcome" not in text


async def test_without_a_language_hint_the_first_greeting_is_bilingual(app: App) -> None:
    chat = Chat(app.core)  # the console tells nothing about the language
    text = await chat.say("/start")
    assert "欢迎使用 tutorbot" in text and "Welcome to tutorbot!" in text
    assert "请选择语言" in chat.last_menu_text and "Which language" in chat.last_menu_text


async def test_typing_a_timezone_or_time_while_their_buttons_show(app: App) -> None:
    chat = Chat(app.core, locale_hint="en")
    await chat.say("/start")
    await chat.press("English")
    await chat.press("180")
    assert "Which timezone" in chat.text  # the buttons show; no "Other" pressed
    assert "not a timezone I know" in await chat.say("Atlantis/Nowhere")
    text = await chat.say("Asia/Kolkata")
    assert "what local time" in text
    assert "not a time of day" in await chat.say("quarter past")
    text = await chat.say("21:15")
    assert "You're all set!" in text and "21:15 (Asia/Kolkata)" in text
    learner = await learner_row(app)
    assert learner is not None
    assert learner.timezone == "Asia/Kolkata" and learner.push_time == dt.time(21, 15)
    assert learner.awaiting is None
    # Done with the menus, plain text is no timezone any more.
    assert "not a timezone" not in await chat.say("Europe/Paris")
    # From /settings too: the timezone buttons show, a typed name is taken.
    await chat.say("/settings")
    await chat.press("Timezone")
    assert "Saved." in await chat.say("Europe/Paris")
    learner = await learner_row(app)
    assert learner is not None and learner.timezone == "Europe/Paris"


async def test_settings_changes_through_buttons_and_typed_commands(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/settings")
    await chat.press("Daily lesson time")
    await chat.press("07:00")
    assert "Saved." in chat.text and "Daily lesson time: 07:00" in chat.text
    text = await chat.say("/settings timezone Asia/Tokyo")
    assert "Timezone: Asia/Tokyo" in text
    text = await chat.say("/settings language zh")
    assert "语言：中文" in text
    learner = await learner_row(app)
    assert learner is not None
    assert (learner.push_time, learner.timezone, learner.language) == (
        dt.time(7, 0),
        "Asia/Tokyo",
        "zh",
    )


async def test_a_new_menu_makes_the_previous_one_stale(app: App) -> None:
    chat = Chat(app.core)
    await enrol(chat)
    await chat.say("/settings")
    old = chat.button("Timezone")
    await chat.say("/settings")
    text = await chat.press_data(old)
    assert "out of date" in text
    async with app.sessions() as session:
        open_menus = await session.scalar(
            select(func.count())
            .select_from(ButtonMenu)
            .where(
                ButtonMenu.used_at.is_(None),
                ButtonMenu.superseded.is_(False),
                ButtonMenu.flow == "settings",
            )
        )
    assert open_menus == 1
