"""After a wrong /quiz answer, the "Explain" button asks /ask about the question's topic,
scoped to the question's lesson, and the answer cites that lesson."""

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
    assert "[1]" in text
    assert "Day 1 · Python类型系统与类型提示" in text  # scoped to the question's lesson
    assert "already pressed" in await chat.press_data(explain)
