"""Bank statistics: counts per dimension, and the lessons learners meet with too few questions."""

from __future__ import annotations

from quizzes.model import Question
from quizzes.stats import bank_stats, format_stats, learner_lessons
from tests.quizzes.factory import record


def _bank() -> list[Question]:
    app28 = [
        record(),
        record(
            stem="FAISS 属于哪一类工具？", answer="向量检索库", options=["向量检索库", "分词器"]
        ),
        record(
            kind="recall", options=None, stem="Reranker 的作用？", difficulty=4, provenance="llm:m"
        ),
    ]
    common5 = record(
        track=None, day=5, topic="生成器", sources=[{"lesson": "ai-fullstack-100/common/5"}]
    )
    llm = record(
        plan="llm-app-180",
        track=None,
        day=1,
        topic="Self-Attention",
        provenance="structural",
        sources=[{"lesson": "llm-app-180/common/1"}],
    )
    return [Question.from_record(data) for data in (*app28, common5, llm)]


def test_counts_per_dimension() -> None:
    stats = bank_stats(_bank())
    assert stats.total == 5
    assert stats.by_plan == {"ai-fullstack-100": 4, "llm-app-180": 1}
    assert stats.by_track == {
        "ai-fullstack-100/app": 3,
        "ai-fullstack-100/common": 1,
        "llm-app-180/common": 1,
    }
    assert stats.by_lesson["ai-fullstack-100/app/28"] == 3
    assert stats.by_kind == {"choice": 4, "recall": 1}
    assert stats.by_difficulty == {2: 4, 4: 1}
    assert stats.by_provenance == {"curated": 3, "llm:m": 1, "structural": 1}


def test_thin_lessons_cover_every_learner_sequence_once() -> None:
    every = [
        lesson.key
        for plan in ("ai-fullstack-100", "llm-app-180")
        for lesson in learner_lessons(plan)
    ]
    assert len(every) == len(set(every)) == 235 + 180
    stats = bank_stats(_bank())
    thin = dict(stats.thin_lessons)
    assert "ai-fullstack-100/app/28" not in thin  # exactly 3
    assert thin["ai-fullstack-100/common/5"] == 1 and thin["llm-app-180/common/1"] == 1
    assert thin["ai-fullstack-100/fde/90"] == 0 and "ai-fullstack-100/common/90" in thin
    assert len(thin) == 415 - 1
    assert len(dict(bank_stats(_bank(), minimum=1).thin_lessons)) == 415 - 3


def test_text_and_json_views() -> None:
    stats = bank_stats(_bank())
    text = format_stats(stats)
    assert "5 questions" in text and "ai-fullstack-100/app" in text
    assert "days 21-27, 29-75" in text
    data = stats.to_dict()
    assert data["by_difficulty"] == {"2": 4, "4": 1}
    assert {"lesson": "llm-app-180/common/1", "questions": 1} in data["thin_lessons"]
