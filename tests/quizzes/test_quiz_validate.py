"""The validator: a clean bank passes; each rule catches its own flaw on a small bad bank."""

from __future__ import annotations

import hashlib
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
        "near-duplicate", "key-longest", "cross-lesson-repeat", "key-length-balance",
        "key-position-balance", "tf-cue-balance",
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
        if len(calls) > 1:  # stem and key of every question, for cross-lesson repeats
            return _fixed_embedder(texts)
        return np.array([[1.0, 0.0], [0.6, 0.8], [1.0, 0.0]][: len(texts)], dtype=np.float32)

    lone = record(day=29, sources=[{"lesson": "ai-fullstack-100/app/29"}], topic="RAG评估")
    a = record(kind="recall", options=None, stem="问题甲？")
    b = {**a, "stem": "问题乙？"}
    c = {**a, "stem": "问题丙？"}
    report = _validate(bank(tmp_path, lone, a, b, c), embeddings=True, embed=embed)
    assert len(calls[0]) == 3  # the lone lesson has no twin inside its lesson
    assert len(calls) == 2 and len(calls[1]) == 4  # across lessons every question counts
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


def _fixed_embedder(texts: Sequence[str]) -> np.ndarray:
    """Equal texts embed equal, different texts orthogonal-ish: a stand-in for e5's geometry."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
        row = np.random.default_rng(seed).normal(size=64)
        rows.append(row / np.linalg.norm(row))
    return np.array(rows, dtype=np.float32)


def test_cross_lesson_repeats_within_what_one_learner_meets(tmp_path: Path) -> None:
    def on(plan: str, track: str | None, day: int) -> dict[str, Any]:
        key = f"{plan}/{track or 'common'}/{day}"
        return record(plan=plan, track=track, day=day, topic=key, sources=[{"lesson": key}])

    def repeats(*records: dict[str, Any]) -> list[str]:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        for data in records:
            name = data["track"] or "common"
            bank(root / data["plan"] / name, data, plan=data["plan"], name=name)
            (root / data["plan"] / name / data["plan"] / f"{name}.yaml").rename(
                root / data["plan"] / f"{name}-{data['day']}.yaml"
            )
        report = _validate(root, embeddings=True, embed=_fixed_embedder)
        return [issue.message for issue in report.issues if issue.code == "cross-lesson-repeat"]

    full = "ai-fullstack-100"
    # A shared lesson and an app lesson: every app learner meets both.
    (message,) = repeats(on(full, None, 5), on(full, "app", 28))
    assert "one learner meets both lessons" in message
    # Two tracks' lessons: no learner meets both; two plans likewise. Nor does an fde learner
    # meet the shared capstone of Day 81, which fde replaces with its own lesson.
    assert repeats(on(full, "app", 28), on(full, "algo", 28)) == []
    assert repeats(on(full, None, 81), on(full, "fde", 30)) == []
    assert len(repeats(on(full, None, 81), on(full, "app", 30))) == 1
    assert repeats(on(full, None, 5), on("llm-app-180", None, 5)) == []
    # The same stem with another key asks something else.
    assert repeats(on(full, None, 5), {**on(full, "app", 28), "answer": "BM25"}) == []


def _choices(n: int, key_at: int, key_length: str) -> list[dict[str, Any]]:
    """n choice questions of one lesson, the key at `key_at` and "long", "short" or "mid"."""
    text = {"long": "较长的一个选项文本", "short": "短", "mid": "中等长度项"}
    questions = []
    for i in range(n):
        options = [f"干扰项{i}甲乙", f"干扰项{i}丙", f"干扰项{i}丁戊己"]
        key = f"{text[key_length]}{i}"
        options.insert(key_at, key)
        questions.append(record(stem=f"第 {i} 个问题是什么？", answer=key, options=options))
    return questions


def test_key_length_balance_per_file(tmp_path: Path) -> None:
    never_longest = _validate(bank(tmp_path / "a", *_choices(40, 1, "mid")))
    messages = [i.message for i in never_longest.issues if i.code == "key-length-balance"]
    assert len(messages) == 2 and "uniquely longest option in 0 of 40" in messages[0]
    always_longest = _validate(bank(tmp_path / "b", *_choices(40, 1, "long")))
    assert "key-length-balance" in always_longest.codes()
    mixed = [*_choices(10, 1, "long"), *_choices(10, 1, "short"), *_choices(20, 1, "mid")]
    for i, data in enumerate(mixed):
        data["stem"] = f"混合的第 {i} 个问题是什么？"
    assert "key-length-balance" not in _validate(bank(tmp_path / "c", *mixed)).codes()
    # Too few questions to tell.
    assert _validate(bank(tmp_path / "d", *_choices(39, 1, "mid"))).issues == ()


def test_key_position_balance_per_file(tmp_path: Path) -> None:
    first = [*_choices(20, 0, "long"), *_choices(20, 0, "short")]
    for i, data in enumerate(first):
        data["stem"] = f"位置题 {i} 问的是什么？"
    report = _validate(bank(tmp_path / "a", *first))
    assert "option 1 is the key in 40 of 40" in " ".join(i.message for i in report.issues)
    spread = [*_choices(10, 0, "long"), *_choices(10, 1, "short"), *_choices(10, 2, "long")]
    spread += _choices(10, 3, "short")
    for i, data in enumerate(spread):
        data["stem"] = f"分散题 {i} 问的是什么？"
    assert "key-position-balance" not in _validate(bank(tmp_path / "b", *spread)).codes()


def test_cue_words_in_true_false_per_file(tmp_path: Path) -> None:
    def statement(i: int, words: str, answer: str) -> dict[str, Any]:
        return record(**{**TF, "stem": f"第 {i} 条：{words}重排序即可提升精度。", "answer": answer})

    sweeping = [statement(i, "只要加入", "false") for i in range(5)]
    (issue,) = _validate(bank(tmp_path / "a", *sweeping)).issues
    assert issue.code == "tf-cue-balance" and "5 of 5 sweeping" in issue.message
    hedged = [statement(i, "通常加入", "true") for i in range(5)]
    assert [i.code for i in _validate(bank(tmp_path / "b", *hedged)).issues] == ["tf-cue-balance"]
    balanced = [*sweeping[:3], *[statement(i, "仅需加入", "true") for i in range(5, 7)]]
    assert _validate(bank(tmp_path / "c", *balanced)).issues == ()
