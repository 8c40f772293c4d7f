"""End to end over real HTTP: PTB polls the stand-in with getUpdates, the core answers, PTB
sends the replies back with the Bot API's calls."""

from __future__ import annotations

import datetime as dt

from bot.adapters.telegram import TelegramAdapter
from bot.app import App
from bot.core.catalog import CATALOG
from tests.support.adapters import Clock
from tests.support.bank import load_test_bank
from tests.support.telegram_standin import TelegramStandIn, User
from tests.telegram.conftest import (
    ALICE,
    BOB,
    TelegramChat,
    learner_row,
    onboard,
)


async def test_onboarding_lesson_done_and_quiz_by_buttons(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    await load_test_bank(app)
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    # Every accepted press spent its menu: its keyboard was taken off the message.
    assert all(not message.buttons() for message in alice.messages)
    assert all(call.params.get("text") is None for call in api.calls_to("answerCallbackQuery"))

    lesson = (await alice.say("/today"))[0]
    assert "Day 1" in lesson.text and "Python类型系统与类型提示" in lesson.text
    assert "<b>" in lesson.html
    sent = api.calls_to("sendMessage")[-1].params
    assert sent["parse_mode"] == "HTML" and sent["link_preview_options"]["is_disabled"] is True
    done = await alice.press("Done")
    assert "Day 1 done! 1 of 100" in done[0].text

    card = (await alice.say("/quiz"))[0]
    assert "1/1 · Day 1" in card.text and "A. typing" in card.text
    assert [label for label, _ in card.buttons()][:4] == ["A", "B", "C", "D"]
    feedback, summary = await alice.press("A", expect=2)
    assert "✅ Correct!" in feedback.text and "Next review in" in feedback.text
    assert "Round complete" in summary.text and "1/1 right (100%)" in summary.text

    row = await learner_row(app, ALICE)
    assert row is not None and row.plan == "ai-fullstack-100" and row.language == "en"
    assert row.display_name == "Alice" and row.active


async def test_a_press_on_someone_elses_buttons_is_refused_with_a_toast(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    lesson = (await alice.say("/today"))[0]
    # Bob presses Alice's Done button (as in a group where both see the message).
    bob = TelegramChat(api, BOB, chat_id=ALICE.id)
    update = api.push(api.press_update(BOB, lesson, lesson.buttons()[0][1]))
    query_id = update["callback_query"]["id"]
    await api.wait_until(lambda: query_id in api.answered_queries)
    answer = api.answered_queries[query_id]
    assert answer["text"] == "These buttons belong to someone else."
    assert answer.get("show_alert") in (None, False)
    # No message for the refusal, and Alice's buttons are still there for her.
    assert bob.messages[-1] is lesson and lesson.buttons()
    done = await alice.press("Done")
    assert "Day 1 done!" in done[0].text
    # Pressing it again: the menu is spent, so a toast again.
    api.push(api.press_update(ALICE, lesson, "x" * 10 + ":0"))
    await api.wait_until(lambda: len(api.answered_queries) == 8)
    assert alice.toast() == "That button is no longer valid. Send the command again."


async def test_the_menus_list_the_catalog_in_chinese_and_english(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    menus = {
        (call.params.get("language_code"), (call.params.get("scope") or {}).get("type")): {
            command["command"]: command["description"] for command in call.params["commands"]
        }
        for call in api.calls_to("setMyCommands")
    }
    assert set(menus) == {
        (None, None),
        ("en", None),
        (None, "all_group_chats"),
        ("en", "all_group_chats"),
    }
    offered = [spec for spec in CATALOG if not spec.operators_only]  # /admin is in no menu
    private = {spec.name for spec in offered if spec.answers(is_group=False)}
    group = {spec.name for spec in offered if spec.answers(is_group=True)}
    assert set(menus[None, None]) == set(menus["en", None]) == private
    assert set(menus[None, "all_group_chats"]) == set(menus["en", "all_group_chats"]) == group
    assert {"ask", "quiz"} <= private & group and "join" in group - private
    assert "export" in private - group
    assert (
        menus["en", None]["today"] == "Today's lesson"
        and menus[None, None]["today"] == "今天的课程"
    )


async def test_unknown_commands_and_plain_text_reach_the_core(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    alice = TelegramChat(api, ALICE)
    unknown = (await alice.say("/frobnicate"))[0]
    assert "I don't know the command /frobnicate" in unknown.text
    chatter = (await alice.say("hello <b>there</b> & you"))[0]
    assert "/today" in chatter.text
    # A command addressed to another bot is left alone; one addressed to us is answered.
    api.push(api.text_update(ALICE, "/frobnicate@some_other_bot"))
    help_ = (await alice.say(f"/help@{api.username}"))[0]
    assert "/today" in help_.text
    assert len(alice.messages) == 3


async def test_chinese_is_the_default_for_other_languages(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    li = TelegramChat(api, User(1003, "李", "zh-hans"))
    welcome = await li.say("/start", expect=2)
    assert "欢迎" in welcome[0].text


async def test_catching_up_on_telegram_renders_the_lessons_context_and_backlog_buttons(
    app: App, api: TelegramStandIn, telegram: TelegramAdapter, clock: Clock
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    clock.now += dt.timedelta(days=10)  # Day 11: Days 1-10 are behind, none done
    backlog = (await alice.say("/backlog"))[0]
    assert "10 past lessons not done yet" in backlog.text
    assert [label for label, _ in backlog.buttons()][:3] == ["Day 1", "Day 2", "Day 3"]
    lesson = (await alice.press("Day 2"))[0]
    assert "<b>Stage goal</b>: 所有岗位必学，建立统一的技术基础" in lesson.html
    assert "<b>📝 Project day</b>: Day 7 · 实战：异步数据处理工具" in lesson.html
    assert "the plan gives only its topic" in lesson.text
    assert [label for label, _ in lesson.buttons()] == ["✅ Done"]
    done = await alice.press("Done")
    assert "Day 2 done!" in done[0].text and "9 more past lessons" in done[-1].text
