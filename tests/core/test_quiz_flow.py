"""The quiz state machine's answer-button parsing, shared by the personal and the group quiz:
only a choice's bank index or true/false is an answer; anything else is refused."""

from __future__ import annotations

from bot.services.quiz_flow import response_for
from quizzes.model import Question
from tests.quizzes.factory import record


def test_a_choice_button_means_the_option_at_its_bank_index() -> None:
    question = Question.from_record(record())
    assert response_for(question, "0") == "Reranker"
    assert response_for(question, "3") == "Retriever"
    for value in ("4", "99", "-1", "²", "", "true", "0x1"):
        assert response_for(question, value) is None, value


def test_a_true_false_button_means_true_or_false_only() -> None:
    question = Question.from_record(
        record(kind="true_false", answer="true", options=None, stem="Reranker 重新排序候选文档。")
    )
    assert response_for(question, "true") == "true"
    assert response_for(question, "false") == "false"
    for value in ("0", "True", "yes", ""):
        assert response_for(question, value) is None, value
