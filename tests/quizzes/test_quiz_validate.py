"""The validator: a clean bank passes; each rule catches its own flaw on a small bad bank."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quizzes.rules import RULES, Severity
from quizzes.validate import ValidationReport, validate_banks
from tests.quizzes.factory import bank, record, with_id, write_records

TF = {"kind": "true_false", "options": None, "answer": "false"}
CLOZE = {"kind": "cloze", "options": None, "stem": "检索后用 ____ 模型对候选文档重新打分。"}


def _validate(root: Path, **options: Any) -> ValidationReport:
    options.setdefault("embeddings", False)
    return validate_banks(root, **options)


def test_a_clean_bank_has_no_issues(tmp_path: Path) -> None:
    other = record(
        stem="FAISS 属于哪一类工具？",
        answer="向量检索库",
        options=["向量检索库", "分词器", "重排序模型"],
    )
    report = _validate(bank(tmp_path, record(), other), embeddings=True)
    assert report.issues == () and report.passed(strict=True)
    assert (report.files, report.questions) == (1, 2)


# One bad record per rule: (code, changes to the valid record).
SINGLE_RECORD_RULES: list[tuple[str, dict[str, Any]]] = [
    ("schema", {"stem": None}),
    ("schema", {"bogus": 1}),
    ("schema", {"day": "28"}),
    ("schema", {"kind": "essay"}),
    ("schema", {"sources": [{"url": "https://a.b"}]}),
    ("id-format", {"id": "NOT-AN-ID"}),
    ("version", {"version": 0}),
    ("lesson-unknown", {"day": 500}),
    ("lesson-unknown", {"plan": "no-such-plan"}),
    ("lesson-track", {"day": 5, "sources": [{"lesson": "ai-fullstack-100/common/5"}]}),
    ("sources-empty", {"sources": []}),
    ("source-lesson", {"sources": [{"lesson": "ai-fullstack-100/app/999"}]}),
    ("source-url", {"sources": [{"lesson": "ai-fullstack-100/app/28", "url": "ftp://x.org/a"}]}),
    ("source-url", {"sources": [{"lesson": "ai-fullstack-100/app/28", "url": "https:///path"}]}),
    ("source-arxiv", {"sources": [{"lesson": "ai-fullstack-100/app/28", "arxiv_id": "attention"}]}),
    ("difficulty", {"difficulty": 7}),
    ("language", {"language": "fr"}),
    ("provenance", {"provenance": "robot"}),
    ("provenance", {"provenance": "llm:"}),
    ("explanation-empty", {"explanation": "  "}),
    ("explanation-long", {"explanation": "重排序很重要。" * 60}),
    ("explanation-sentences", {"explanation": "一是打分。二是排序。三是截断。四是返回。"}),
    ("options-count", {"options": ["Reranker"]}),
    ("options-count", {"options": [f"选项{i}" for i in range(7)] + ["Reranker"]}),
    ("options-unexpected", {**TF, "stem": "Reranker 在检索之前运行。", "options": ["对", "错"]}),
    ("options-duplicate", {"options": ["Reranker", "re-ranker", "Tokenizer", "Embedder"]}),
    ("options-duplicate", {"options": ["Reranker", "ＲＥＲＡＮＫＥＲ", "Tokenizer"]}),
    ("answer-not-option", {"answer": "BM25"}),
    ("answer-empty", {"kind": "recall", "options": None, "answer": ""}),
    ("answer-empty", {**CLOZE, "answer": ""}),
    ("tf-answer", {**TF, "stem": "Reranker 在检索之前运行。", "answer": "maybe"}),
    ("cloze-blank", {**CLOZE, "stem": "检索后用什么模型重新打分？", "answer": "Reranker"}),
    ("answer-in-stem", {"stem": "Reranker（重排序模型）在 RAG 中负责什么？"}),
    (
        "answer-in-stem",
        {**CLOZE, "stem": "____ 也叫 rerank 模型。", "answer": "重排序", "accepted": ["rerank"]},
    ),
    ("all-none-of-above", {"options": ["Reranker", "Tokenizer", "以上都对"]}),
    ("all-none-of-above", {"options": ["Reranker", "Tokenizer", "None of the above."]}),
    (
        "key-length",
        {
            "answer": "对 query 与文档成对打分的交叉编码器 Reranker",
            "options": ["对 query 与文档成对打分的交叉编码器 Reranker", "BM25", "FAISS"],
        },
    ),
    ("negative-stem", {"stem": "以下哪个不属于 RAG 检索之后的步骤？"}),
    ("negative-stem", {"stem": "Which step does not belong after retrieval?"}),
    ("tf-absolute", {**TF, "stem": "加入 Reranker 之后，检索精度总是会提高。"}),
    ("tf-absolute", {**TF, "stem": "A reranker always improves retrieval precision."}),
]


@pytest.mark.parametrize(("code", "changes"), SINGLE_RECORD_RULES)
def test_each_rule_catches_its_flaw(tmp_path: Path, code: str, changes: dict[str, Any]) -> None:
    # A fixed id: a broken record has no content hash to take one from.
    write_records(tmp_path, [{"id": "0123456789abcdef", **record(**changes)}], name="mixed")
    report = _validate(tmp_path)
    assert code in report.codes(), report.issues
    expected_fail = RULES[code].severity == Severity.ERROR
    assert report.passed() is not expected_fail
    assert not report.passed(strict=True)


def test_every_rule_has_a_test() -> None:
    tested = {code for code, _ in SINGLE_RECORD_RULES} | {
        "yaml", "bank-location", "id-missing", "id-duplicate", "duplicate-stem",
        "near-duplicate", "key-longest",
    }  # fmt: skip
    assert tested == set(RULES)


def test_emphasised_negation_is_fine(tmp_path: Path) -> None:
    for stem in (
        "以下哪个**不**属于 RAG 检索之后的步骤？",
        "以下哪个「不」属于 RAG 检索之后的步骤？",
        "Which step does NOT belong after retrieval?",
    ):
        report = _validate(bank(tmp_path, record(stem=stem)))
        assert "negative-stem" not in report.codes(), stem


def test_unreadable_files_are_yaml_errors(tmp_path: Path) -> None:
    (tmp_path / "ai-fullstack-100").mkdir()
    (tmp_path / "ai-fullstack-100" / "app.yaml").write_text("- plan: [unclosed\n", encoding="utf-8")
    (tmp_path / "ai-fullstack-100" / "common.yaml").write_text("plan: x\n", encoding="utf-8")
    report = _validate(tmp_path)
    assert [issue.code for issue in report.issues] == ["yaml", "yaml"]


def test_a_record_that_is_not_a_mapping_is_a_schema_error(tmp_path: Path) -> None:
    write_records(tmp_path, ["just text", with_id(record())])
    report = _validate(tmp_path)
    assert report.codes() == {"schema"} and report.questions == 1


def test_missing_id_asks_for_fmt(tmp_path: Path) -> None:
    write_records(tmp_path, [record()])
    (issue,) = _validate(tmp_path).issues
    assert issue.code == "id-missing" and "bank fmt" in issue.message


def test_bank_location(tmp_path: Path) -> None:
    bank(tmp_path, record(), plan="llm-app-180", name="common")  # a 100-day question there
    bank(tmp_path / "b", record(), name="common")  # an app question among shared lessons
    bank(tmp_path / "c", record(), name="algo")
    bank(tmp_path / "d", record(), name="extra")  # other names hold any lesson of the plan
    for root, expected in ((tmp_path, True), (tmp_path / "b", True), (tmp_path / "c", True), (tmp_path / "d", False)):  # fmt: skip
        assert ("bank-location" in _validate(root).codes()) is expected, root


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    bank(tmp_path, record())
    bank(tmp_path, record(), name="more")
    issues = [issue for issue in _validate(tmp_path).issues if issue.code == "id-duplicate"]
    assert len(issues) == 1 and "app.yaml record 1" in issues[0].message


def test_same_stem_twice_in_a_lesson(tmp_path: Path) -> None:
    again = record(
        stem="RAG 检索之后，负责给候选文档重新打分排序的组件叫什么?",
        options=["Reranker", "BM25", "FAISS"],
    )
    report = _validate(bank(tmp_path, record(), again))
    assert report.codes() == {"duplicate-stem"}
    elsewhere = record(day=29, sources=[{"lesson": "ai-fullstack-100/app/29"}], topic="RAG评估")
    assert _validate(bank(tmp_path / "x", record(), elsewhere)).issues == ()


def test_near_duplicates_with_the_bundled_model(tmp_path: Path) -> None:
    first = record(
        kind="recall",
        options=None,
        stem="RAG的全称是什么？",
        answer="Retrieval-Augmented Generation",
    )
    second = {**first, "stem": "RAG 的英文全称是什么？"}
    unrelated = {**first, "stem": "向量数据库在 RAG 里有什么用途？", "answer": "存储并检索向量"}
    root = bank(tmp_path, first, second, unrelated)
    report = _validate(root, embeddings=True)
    (issue,) = report.issues
    assert issue.code == "near-duplicate" and issue.index == 1
    assert report.passed() and not report.passed(strict=True)  # a person decides
    assert _validate(root, embeddings=False).issues == ()
    assert _validate(root, embeddings=True, threshold=0.999).issues == ()


def test_near_duplicates_embed_once_in_one_batch(tmp_path: Path) -> None:
    calls: list[Sequence[str]] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[1.0, 0.0], [0.6, 0.8], [1.0, 0.0]][: len(texts)], dtype=np.float32)

    lone = record(day=29, sources=[{"lesson": "ai-fullstack-100/app/29"}], topic="RAG评估")
    a = record(kind="recall", options=None, stem="问题甲？")
    b = {**a, "stem": "问题乙？"}
    c = {**a, "stem": "问题丙？"}
    report = _validate(bank(tmp_path, lone, a, b, c), embeddings=True, embed=embed)
    assert len(calls) == 1 and len(calls[0]) == 3  # the lone lesson is not embedded
    assert [issue.code for issue in report.issues] == ["near-duplicate"]


def test_key_always_longest_in_a_lesson(tmp_path: Path) -> None:
    def choice(stem: str, key: str, *others: str) -> dict[str, Any]:
        return record(stem=stem, answer=key, options=[key, *others])

    questions = [
        choice("重排序阶段的输入是什么？", "召回的候选文档", "用户画像", "训练日志"),
        choice("Reranker 通常是哪类模型？", "交叉编码器模型", "双塔模型", "词袋"),
        choice("重排序的主要代价是什么？", "额外的推理延迟", "更多存储", "丢数据"),
    ]
    report = _validate(bank(tmp_path, *questions))
    assert report.codes() == {"key-longest"} and report.passed() and not report.passed(strict=True)
    assert _validate(bank(tmp_path / "two", *questions[:2])).issues == ()


def test_shared_and_track_days_of_the_100_day_plan(tmp_path: Path) -> None:
    def on(track: str | None, day: int) -> dict[str, Any]:
        key = f"ai-fullstack-100/{track or 'common'}/{day}"
        return record(track=track, day=day, topic=key, sources=[{"lesson": key}])

    # Day 81: the capstone is shared by app and algo, while fde has its own lesson that day.
    fine = bank(tmp_path / "fine", on(None, 81), on("fde", 81), on(None, 5), name="mixed")
    assert _validate(fine).issues == ()
    for track, day, code in (("app", 81, "lesson-track"), (None, 25, "lesson-unknown")):
        report = _validate(bank(tmp_path / f"{track}{day}", on(track, day), name="mixed"))
        assert code in report.codes(), report.issues
