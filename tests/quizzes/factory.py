"""Small bank files for tests: one valid record to start from, and a writer for bank folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from quizzes.model import Question


def record(**changes: Any) -> dict[str, Any]:
    """A valid choice question of ai-fullstack-100/app/28, with `changes` applied (a value of
    None removes the field)."""
    base: dict[str, Any] = {
        "plan": "ai-fullstack-100",
        "track": "app",
        "day": 28,
        "topic": "重排序模型(Cohere/BGE)",
        "kind": "choice",
        "stem": "RAG 检索之后，负责给候选文档重新打分排序的组件叫什么？",
        "answer": "Reranker",
        "options": ["Reranker", "Tokenizer", "Embedder", "Retriever"],
        "explanation": "Reranker 对 query 与文档成对打分，排序比单纯的向量相似度更准。",
        "sources": [
            {
                "lesson": "ai-fullstack-100/app/28",
                "url": "https://huggingface.co/blog/rerankers",
                "title": "Reranker对比",
            }
        ],
        "difficulty": 2,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None or key == "track"}


def with_id(data: dict[str, Any]) -> dict[str, Any]:
    """The record as `tutorbot bank fmt` would store it: id first."""
    return {"id": Question.from_record(dict(data)).id, **data}


def write_records(
    root: Path, records: list[Any], plan: str = "ai-fullstack-100", name: str = "app"
) -> Path:
    path = root / plan / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def bank(
    root: Path, *records: dict[str, Any], plan: str = "ai-fullstack-100", name: str = "app"
) -> Path:
    """A bank folder with one file holding `records`, ids assigned."""
    write_records(root, [with_id(data) for data in records], plan, name)
    return root
