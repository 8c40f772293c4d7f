"""Structural questions: true to the curriculum tables, deterministic and validator-clean.
(None are shipped: the curated banks cover every lesson; the generator fills gaps in new ones.)"""

from __future__ import annotations

import pytest

from curriculum import PLAN_IDS, load_plan
from quizzes.banks import BankEntry, load_banks
from quizzes.generators.structural import STRUCTURAL_FILE, structural_path, structural_questions
from quizzes.model import Kind, Question
from quizzes.validate import validate_entries


def _curated() -> list[BankEntry]:
    return [entry for entry in load_banks() if entry.path.name != STRUCTURAL_FILE]


@pytest.fixture(scope="module")
def generated() -> dict[str, list[Question]]:
    curated = _curated()
    return {plan: structural_questions(plan, existing=curated) for plan in PLAN_IDS}


def _by_lesson(questions: list[Question], key: str, family: str) -> Question:
    (found,) = [q for q in questions if q.lesson_key == key and q.tags == (family,)]
    return found


def test_every_question_validates_with_the_others(generated: dict[str, list[Question]]) -> None:
    entries = [
        BankEntry(question, structural_path(plan), index)
        for plan, questions in generated.items()
        for index, question in enumerate(questions)
    ]
    assert validate_entries(entries) == []
    assert all(
        q.provenance == "structural" and q.kind == Kind.CHOICE
        for q in (e.question for e in entries)
    )
    assert len(entries) > 300


def test_answers_come_from_the_tables(generated: dict[str, list[Question]]) -> None:
    fullstack, llmapp = generated["ai-fullstack-100"], generated["llm-app-180"]
    practice = _by_lesson(fullstack, "ai-fullstack-100/app/21", "practice")
    assert practice.answer == "设计RAG系统" and "RAG架构与原理" in practice.stem
    paper = _by_lesson(fullstack, "ai-fullstack-100/algo/28", "paper")
    assert paper.answer == "RoPE论文（arXiv:2104.09864）"
    assert paper.sources[0].arxiv_id == "2104.09864"
    focus = _by_lesson(fullstack, "ai-fullstack-100/common/1", "focus")
    assert focus.answer == "FDE" and "API设计" in focus.stem  # FDE's focus on Day 1
    topic = _by_lesson(llmapp, "llm-app-180/common/1", "topic")
    assert topic.answer == "Self-Attention机制" and "理解注意力权重计算" in topic.stem
    stage = _by_lesson(llmapp, "llm-app-180/common/30", "stage-result")
    assert stage.answer == "ChatBot Demo"


def test_role_questions_follow_the_capability_matrix(generated: dict[str, list[Question]]) -> None:
    matrix = load_plan("ai-fullstack-100").tables["capability_matrix"]
    roles = matrix.headers[1:]
    checked = 0
    for question in generated["ai-fullstack-100"]:
        if question.tags != ("role",) or "能力矩阵" not in question.stem:
            continue
        row = next(row for row in matrix.rows if f"「{row[0]}」" in question.stem)
        value = next(value for value in row[1:] if f"「{value}」" in question.stem)
        assert roles[row[1:].index(value)] == question.answer
        checked += 1
    assert checked >= 1


def test_choice_questions_are_well_formed(generated: dict[str, list[Question]]) -> None:
    for question in (q for questions in generated.values() for q in questions):
        assert question.answer in question.options and 2 <= len(question.options) <= 6
        assert question.sources[0].lesson == question.lesson_key


def test_generation_is_deterministic(generated: dict[str, list[Question]]) -> None:
    # The same banks give the same questions (a curated question may shadow a candidate, so
    # the run is compared with the same `existing`).
    assert structural_questions("llm-app-180", existing=_curated()) == generated["llm-app-180"]
