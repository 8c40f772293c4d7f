"""Updates as core messages."""

from __future__ import annotations

from telegram import Update

from bot.adapters.telegram import to_incoming
from tests.support.telegram_standin import ChatMessage, TelegramStandIn, User

LIN = User(2001, "Lin", "zh-hans", last_name="Wei")
GROUP = {"id": -100123, "type": "supergroup", "title": "LLM 学习小组"}


def test_a_private_message() -> None:
    api = TelegramStandIn()
    incoming = to_incoming(Update.de_json({"update_id": 1, **api.text_update(LIN, "/today")}))
    assert incoming is not None
    assert (incoming.platform, incoming.user_id, incoming.chat_id) == ("telegram", "2001", "2001")
    assert (incoming.text, incoming.callback) == ("/today", None)
    assert incoming.display_name == "Lin Wei" and incoming.locale_hint == "zh-hans"
    assert not incoming.is_group


def test_a_group_message_and_a_press_in_the_group() -> None:
    api = TelegramStandIn()
    update = api.text_update(LIN, "/join@tutorbot_test_bot", chat=GROUP)
    incoming = to_incoming(Update.de_json({"update_id": 1, **update}))
    assert incoming is not None and incoming.is_group and incoming.chat_id == "-100123"
    assert incoming.chat_title == "LLM 学习小组"

    posted = ChatMessage(7, -100123, from_bot=True, text="quiz")
    press = to_incoming(Update.de_json({"update_id": 2, **api.press_update(LIN, posted, "t:1")}))
    assert press is not None and press.callback == "t:1" and press.text is None
    assert press.is_group and press.chat_id == "-100123" and press.user_id == "2001"


def test_what_is_not_for_the_core() -> None:
    api = TelegramStandIn()
    sticker = api.text_update(LIN, "x")
    del sticker["message"]["text"]
    assert to_incoming(Update.de_json({"update_id": 1, **sticker})) is None
    edited = {"edited_message": api.text_update(LIN, "/today")["message"]}
    assert to_incoming(Update.de_json({"update_id": 2, **edited})) is None
