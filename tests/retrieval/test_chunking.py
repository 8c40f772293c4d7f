"""Curriculum chunks: lesson-aware, headers kept with table rows, stable ids and hashes."""

from __future__ import annotations

from collections import Counter

from retrieval.catalog import catalog_chunks, paper_catalog
from retrieval.curriculum_chunks import curriculum_chunks
from retrieval.model import Chunk
from retrieval.sparse import token_index, tokens


def by_key(chunks: list[Chunk], doc: str, key: str) -> Chunk:
    return next(chunk for chunk in chunks if chunk.doc == doc and chunk.key == key)


def test_a_lesson_row_keeps_its_headers_links_and_place() -> None:
    chunks = list(curriculum_chunks())
    lora = by_key(chunks, "plan:ai-fullstack-100", "lesson:algo:47")
    assert lora.text.splitlines()[1] == "Day 47 · PEFT方法: LoRA"
    assert "技术深度: 精通" in lora.text and "实践作业: 实现LoRA" in lora.text
    assert "algo track" in lora.text.splitlines()[0]
    assert (lora.plan, lora.track, lora.day, lora.lesson_key) == (
        "ai-fullstack-100",
        "algo",
        47,
        "ai-fullstack-100/algo/47",
    )
    assert lora.url == "https://arxiv.org/abs/2106.09685" and lora.arxiv_id == "2106.09685"
    shared = by_key(chunks, "plan:ai-fullstack-100", "lesson:common:4")
    assert "大模型应用工程师重点: API数据模型" in shared.text and shared.track is None


def test_table_rows_make_sense_alone() -> None:
    chunks = [chunk for chunk in curriculum_chunks() if chunk.kind == "table"]
    matrix = next(chunk for chunk in chunks if "能力维度: 编程能力" in chunk.text)
    assert "大模型应用工程师: Python/TypeScript | 大模型算法工程师: Python/C++" in matrix.text
    overview = next(chunk for chunk in chunks if "阶段: 第2阶段" in chunk.text)
    assert "学习主题: 推理服务与部署" in overview.text
    assert overview.text.startswith("综合LLM应用开发学习计划（180天） · 学习计划总览")


def test_multi_day_rows_are_one_chunk_and_days_are_not_lost() -> None:
    chunks = list(curriculum_chunks())
    project = by_key(chunks, "plan:ai-fullstack-100", "lesson:app:32")
    assert (project.day, project.day_end, project.days) == (32, 35, "32-35")
    assert "交付标准: 支持多种文档格式上传" in project.text
    assert not [c for c in chunks if c.key in {"lesson:app:33", "lesson:app:34"}]
    kinds = Counter(chunk.kind for chunk in chunks)
    assert kinds["lesson"] > 300 and kinds["section"] > 30 and kinds["stage"] == 9
    assert kinds["track"] == 3 and kinds["notes"] >= 5 and kinds["checklist"] >= 10


def test_ids_and_hashes_are_stable_and_unique() -> None:
    first = list(curriculum_chunks()) + catalog_chunks()
    second = list(curriculum_chunks()) + catalog_chunks()
    assert [c.id for c in first] == [c.id for c in second]
    assert [c.content_hash("salt") for c in first] == [c.content_hash("salt") for c in second]
    assert len({c.id for c in first}) == len(first)
    lora = by_key(first, "plan:ai-fullstack-100", "lesson:algo:47")
    # Derived from document and key only: the same on every machine, whatever the text says.
    assert lora.id == "a0c866b2-e00d-59ef-b82a-5ac42b12c2de"
    assert lora.content_hash("salt") != lora.content_hash("other embedder")
    copy = Chunk.from_metadata(lora.text, lora.metadata())
    assert copy == lora


def test_the_catalog_names_papers_and_where_they_are_cited() -> None:
    lora = paper_catalog()["2106.09685"]
    assert lora.title == "LoRA: Low-Rank Adaptation"
    assert "ai-fullstack-100/algo/47" in lora.cited_by
    assert "ai-fullstack-100 algo track Day 47 (PEFT方法: LoRA)" in lora.describe()
    assert "llm-app-180 Day 136-143" in lora.describe()
    chunk = next(c for c in catalog_chunks() if c.arxiv_id == "2106.09685")
    assert "LoRA论文" in chunk.text and chunk.url == "https://arxiv.org/abs/2106.09685"


def test_tokens_keep_english_words_whole_and_lower_cased() -> None:
    assert tokens("Pydantic数据验证 在哪天学？") == ["pydantic", "数据", "验证"]
    assert tokens("ReAct 和 Plan-and-Solve 范式") == ["react", "plan", "solve", "范式"]
    assert tokens("C++ 与 FP16训练, LLaMA-2") == ["c++", "fp16", "训练", "llama", "2"]
    assert tokens("What does stage 2 of the 180-day plan cover?") == [
        "stage",
        "2",
        "180",
        "plan",
        "cover",
    ]
    # Stable across processes and machines (crc32, not Python's salted hash).
    assert (token_index("lora"), token_index("数据")) == (881021184, 1734835005)
