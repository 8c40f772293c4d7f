"""Grading forgives width, case, spacing and punctuation, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.grading import grade, match_key, normalise_answer, parse_truth
from quizzes.model import Question
from tests.quizzes.factory import record


def _cloze(answer: str, *accepted: str) -> Question:
    return Question.from_record(
        record(
            kind="cloze",
            stem="检索后用 ____ 模型对候选文档重新打分。",
            answer=answer,
            accepted=list(accepted),
            options=None,
        )
    )


def test_normalise_answer_folds_width_case_punctuation_and_space() -> None:
    assert normalise_answer("  ＬｏＲＡ，  微调。 ") == "lora微调"
    assert normalise_answer("Self-Attention") == "self attention"
    assert normalise_answer("「注意力」 机制！") == "注意力机制"
    assert normalise_answer("KV   Cache") == "kv cache"
    assert normalise_answer("") == ""


@pytest.mark.parametrize(
    "response",
    ["Reranker", "reranker", "ＲＥＲＡＮＫＥＲ", " Reranker。", "重排序", "《重排序》", "rerank"],
)
def test_cloze_accepts_the_answer_and_its_variants(response: str) -> None:
    assert grade(_cloze("Reranker", "重排序", "rerank"), response)


@pytest.mark.parametrize("response", ["", "   ", "Retriever", "Rerankers", "重排"])
def test_cloze_rejects_other_words(response: str) -> None:
    assert not grade(_cloze("Reranker", "重排序"), response)


def test_cloze_ignores_hyphens_and_spacing() -> None:
    question = _cloze("Self-Attention")
    assert grade(question, "self attention") and grade(question, "SelfAttention")


def test_choice_by_text_number_or_letter() -> None:
    question = Question.from_record(record())
    assert grade(question, "reranker")
    assert grade(question, "1") and grade(question, "a") and grade(question, "Ａ")
    assert (
        not grade(question, "2") and not grade(question, "Tokenizer") and not grade(question, "9")
    )


def test_choice_option_text_wins_over_position() -> None:
    question = Question.from_record(
        record(stem="Transformer base 有几个注意力头？", answer="8", options=["4", "8", "12", "16"])
    )
    assert grade(question, "8")  # the text "8", not the 8th option
    assert not grade(question, "4") and not grade(question, "12")
    assert grade(question, "2") and not grade(question, "1")  # no option reads "2": a position


@pytest.mark.parametrize(
    ("word", "truth"),
    [
        ("true", True),
        ("T", True),
        ("yes", True),
        ("对", True),
        ("是", True),
        ("正确", True),
        ("对。", True),
        ("√", True),
        ("false", False),
        ("F", False),
        ("no", False),
        ("错", False),
        ("否", False),
        ("错误", False),
        ("不对", False),
        ("×", False),
        ("ｆａｌｓｅ", False),
        ("maybe", None),
        ("", None),
    ],
)
def test_true_false_words(word: str, truth: bool | None) -> None:
    assert parse_truth(word) is truth


def test_true_false_grading() -> None:
    question = Question.from_record(
        record(kind="true_false", answer="false", options=None, stem="Reranker 在检索之前运行。")
    )
    assert grade(question, "错") and grade(question, "False") and not grade(question, "对")
    assert not grade(question, "不知道")


def test_recall_is_self_rated() -> None:
    question = Question.from_record(record(kind="recall", options=None))
    with pytest.raises(ValueError, match="rated by the learner"):
        grade(question, "anything")


_ascii = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30)


@given(_ascii)
def test_full_width_text_grades_like_half_width(text: str) -> None:
    full = "".join(chr(ord(ch) + 0xFEE0) for ch in text)  # ASCII -> full-width forms
    assert match_key(full) == match_key(text)


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_answer(text)
    assert normalise_answer(once) == once
