"""After a wrong /quiz answer, the "Explain" button says why the right answer is right: the
question's key and explanation first, then the sentences of its lesson, all cited."""

from __future__ import annotations

from bot.app import App
from tests.support.bank import TEST_BANK, load_test_bank
from tests.support.chat import Chat, enrol


async def test_explain_button_answers_from_the_questions_lesson(ask_app: App) -> None:
    await load_test_bank(ask_app)
    chat = Chat(ask_app.core)
    await enrol(chat)
    await chat.say("/quiz")
    assert TEST_BANK[0].stem in chat.text
    await chat.choose_other_than("typing")  # wrong
    assert "❌ Not quite." in chat.text
    explain = chat.button("Explain")
    text = await chat.press_data(explain)
    answer, sources = text.split("\n\nSources\n")
    assert "[1] typing — 类型提示 的要点。" in answer
    assert TEST_BANK[0].stem not in answer  # the stem is not an answer
    assert "[2] Day 1 · Python类型系统与类型提示" in answer  # the question's lesson
    assert sources.startswith("[1] ") and "\n[2] " in sources
    assert "already pressed" in await chat.press_data(explain)
