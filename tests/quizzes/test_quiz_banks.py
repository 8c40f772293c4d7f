"""Bank files: canonical, deterministic output; ids for new records; version bumps on edits;
the documented format validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from quizzes.banks import (
    BANKS_DIR,
    BankError,
    bank_path,
    load_banks,
    normalise,
    read_records,
    render_bank,
    write_bank,
)
from quizzes.model import Question
from quizzes.validate import validate_banks
from tests.quizzes.factory import record, write_records


def _questions() -> list[Question]:
    return [
        Question.from_record(record(day=29, topic="RAG评估", sources=[{"lesson": "ai-fullstack-100/app/29"}])),
        Question.from_record(record()),
        Question.from_record(record(stem="FAISS 属于哪一类工具？", answer="向量检索库", options=["向量检索库", "分词器"])),
    ]  # fmt: skip


def test_write_bank_is_deterministic_sorted_and_readable(tmp_path: Path) -> None:
    questions = _questions()
    path = tmp_path / "ai-fullstack-100" / "app.yaml"
    write_bank(path, questions)
    first = path.read_text(encoding="utf-8")
    write_bank(path, list(reversed(questions)))
    assert path.read_text(encoding="utf-8") == first
    assert "重排序" in first  # allow_unicode: no \u escapes
    days = [record.data["day"] for record in read_records(path)]
    ids = [record.data["id"] for record in read_records(path)]
    assert days == sorted(days) and ids[:2] == sorted(ids[:2])
    assert first.startswith("# tutorbot question bank")
    assert list(yaml.safe_load(first)[0]) == list(questions[0].to_record())


def test_multi_line_text_is_a_block(tmp_path: Path) -> None:
    question = Question.from_record(record(explanation="第一行。\n第二行。"))
    text = render_bank([question])
    assert "explanation: |-\n    第一行。\n    第二行。" in text


def test_empty_bank(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    write_bank(path, [])
    assert read_records(path) == []


def test_normalise_assigns_ids_and_sorts() -> None:
    raw = [record(day=29, topic="x", sources=[{"lesson": "ai-fullstack-100/app/29"}]), record()]
    questions = normalise(raw)
    assert [q.day for q in questions] == [28, 29]
    assert all(re.fullmatch(r"[0-9a-f]{16}", q.id) for q in questions)
    assert normalise(raw) == questions  # same content, same ids


def test_normalise_bumps_the_version_of_edited_questions_once() -> None:
    before = Question.from_record(record())
    edited = Question.from_record({**before.to_record(), "answer": "Tokenizer"})
    untouched_edit = Question.from_record({**before.to_record(), "explanation": "只改了解释。"})
    (bumped,) = normalise([edited], {before.id: before})
    assert bumped.id == before.id and bumped.version == 2
    assert normalise([bumped], {before.id: before})[0].version == 2  # idempotent
    assert normalise([untouched_edit], {before.id: before})[0].version == 1
    assert normalise([edited])[0].version == 1  # nothing to compare with


def test_load_banks_reports_where_a_broken_record_is(tmp_path: Path) -> None:
    write_records(tmp_path, [record(), {"plan": "ai-fullstack-100"}])
    with pytest.raises(BankError, match=r"app\.yaml record 2"):
        load_banks(tmp_path)
    entries = load_banks(tmp_path / "nothing-here")
    assert entries == []


def test_entries_know_their_file_and_position(tmp_path: Path) -> None:
    write_records(tmp_path, [record(), {"id": "00000000000000aa", **record(day=29, topic="t", sources=[{"lesson": "ai-fullstack-100/app/29"}])}])  # fmt: skip
    first, second = load_banks(tmp_path)
    assert (first.index, second.index) == (0, 1)
    assert not first.stored_id and second.stored_id
    assert second.where.endswith("app.yaml record 2")


def test_bank_path_layout() -> None:
    assert bank_path("ai-fullstack-100", "app") == BANKS_DIR / "ai-fullstack-100" / "app.yaml"
    assert bank_path("llm-app-180", None, Path("r"), "generated-") == Path(
        "r/llm-app-180/generated-common.yaml"
    )


def test_the_documented_examples_validate(tmp_path: Path) -> None:
    readme = (BANKS_DIR / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### The four kinds\n\n```yaml\n(.*?)```", readme, re.DOTALL)
    assert block
    examples = yaml.safe_load(block.group(1))
    assert {example["kind"] for example in examples} == {"choice", "true_false", "cloze", "recall"}
    for example in examples:
        folder = tmp_path / example["plan"]
        folder.mkdir(exist_ok=True)
        name = example["track"] or "common"
        path = folder / f"{name}.yaml"
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
        path.write_text(yaml.safe_dump([*existing, example], allow_unicode=True), encoding="utf-8")
    before = validate_banks(tmp_path, embeddings=False)
    assert before.codes() == {"id-missing"}  # as written by a curator, before `fmt`
    for path in tmp_path.glob("*/*.yaml"):
        write_bank(path, normalise(record.data for record in read_records(path)))
    after = validate_banks(tmp_path, embeddings=False)
    assert after.issues == (), after.issues
