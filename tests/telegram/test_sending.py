"""Replies as Bot API calls: long texts in several messages with the keyboard under the last,
chart images as photos, exports as documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.sending import keyboard
from bot.app import App
from bot.core import Button, Document, Reply
from bot.core.markup import Bold, doc, line
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, TelegramChat, onboard

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_a_long_reply_is_several_messages_with_the_keyboard_under_the_last(
    api: TelegramStandIn, telegram: TelegramAdapter
) -> None:
    lines = [line(Bold(f"{number}."), " <" + "学" * 100 + ">") for number in range(100)]
    buttons = ((Button("✅ Done", "token:0"), Button("Later", "token:1")),)
    await telegram.deliver(str(ALICE.id), False, [Reply(body=doc(*lines), buttons=buttons)])
    messages = api.bot_messages(ALICE.id)
    assert len(messages) == 3
    assert [bool(message.buttons()) for message in messages] == [False, False, True]
    assert messages[-1].buttons() == [("✅ Done", "token:0"), ("Later", "token:1")]
    text = "\n".join(message.text for message in messages)
    assert text.splitlines() == [f"{number}. <{'学' * 100}>" for number in range(100)]


async def test_a_chart_is_a_photo_with_its_text_as_caption(
    api: TelegramStandIn, telegram: TelegramAdapter, tmp_path: Path
) -> None:
    chart = tmp_path / "week.png"
    chart.write_bytes(PNG)
    reply = Reply(body=doc(line(Bold("Week 10")), "retention 91% <good>"), image=chart)
    await telegram.deliver(str(ALICE.id), False, [reply])
    [photo] = api.calls_to("sendPhoto")
    assert photo.files["photo"].content == PNG
    assert photo.params["caption"] == "<b>Week 10</b>\nretention 91% &lt;good&gt;"
    assert photo.params["parse_mode"] == "HTML"
    [message] = api.bot_messages(ALICE.id)
    assert message.text == "Week 10\nretention 91% <good>"


async def test_a_caption_too_long_goes_first_as_messages(
    api: TelegramStandIn, telegram: TelegramAdapter, tmp_path: Path
) -> None:
    chart = tmp_path / "week.png"
    chart.write_bytes(PNG)
    body = doc(*(f"line {number} " + "x" * 50 for number in range(40)))
    buttons = ((Button("OK", "t:0"),),)
    await telegram.deliver(str(ALICE.id), False, [Reply(body=body, image=chart, buttons=buttons)])
    text, photo = api.bot_messages(ALICE.id)
    assert text.text.startswith("line 0") and not text.buttons()
    assert photo.photo is not None and photo.text == "" and photo.buttons() == [("OK", "t:0")]


async def test_export_arrives_as_a_json_document(
    api: TelegramStandIn, telegram: TelegramAdapter, app: App
) -> None:
    alice = TelegramChat(api, ALICE)
    await onboard(alice)
    [export] = await alice.say("/export")
    assert export.document is not None and export.document.filename.endswith(".json")
    data = json.loads(export.document.content)
    assert data["learner"]["display_name"] == "Alice"
    assert export.text == "Here is everything I store about you, as JSON."


async def test_a_document_reply(api: TelegramStandIn, telegram: TelegramAdapter) -> None:
    reply = Reply(body=doc("notes"), document=Document("notes.txt", b"a & b", "text/plain"))
    await telegram.deliver(str(ALICE.id), False, [reply])
    [call] = api.calls_to("sendDocument")
    assert call.files["document"].filename == "notes.txt"
    assert call.files["document"].content == b"a & b"


def test_callback_data_over_64_bytes_is_a_programming_error() -> None:
    assert keyboard(Reply(body=doc("x"))) is None
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard(Reply(body=doc("x"), buttons=((Button("x", "数" * 22),),)))
