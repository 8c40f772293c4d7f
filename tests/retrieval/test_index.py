"""The Qdrant index: idempotent incremental sync, hybrid search, scoping, and the in-process
sparse scorer of local mode agreeing with Qdrant's own."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from qdrant_client import models

from retrieval import IndexConfig, Retriever, Scope
from retrieval.glossary import expand_query
from retrieval.index import PLAN_BOOST, HybridIndex, JiebaSparse, mentioned_days, scope_filter
from retrieval.model import Chunk

QUESTIONS = [
    "Pydantic 数据验证在哪天学",
    "CrewAI 多Agent协作",
    "Which inference engines does the 180-day plan compare?",
    "LoRA 在哪一天实现",
    "Kubernetes Helm charts",
]


def test_syncing_the_curriculum_again_changes_nothing(curriculum_retriever: Retriever) -> None:
    before = curriculum_retriever.index.count()
    report = curriculum_retriever.sync_curriculum()
    assert not report.changed and report.unchanged == before > 500


def test_hybrid_search_finds_lesson_rows(curriculum_retriever: Retriever) -> None:
    top = curriculum_retriever.search("混合精度训练 AMP", k=3)[0].chunk
    assert (top.key, top.track, top.day) == ("lesson:algo:38", "algo", 38)
    english = curriculum_retriever.search("Which day covers WebSocket real-time chat?", k=5)
    assert "lesson:fde:30" in [hit.chunk.key for hit in english]
    paper = curriculum_retriever.search("LoRA low-rank adaptation paper arXiv", k=5)
    assert any(hit.chunk.arxiv_id == "2106.09685" for hit in paper)


def test_a_named_day_lifts_that_day(curriculum_retriever: Retriever) -> None:
    assert mentioned_days("第47天学什么") == [47]
    assert mentioned_days("what is on Day 62, and D63?") == [62, 63]
    assert mentioned_days("the 180-day plan") == []
    hits = curriculum_retriever.search("算法轨道第47天学什么", k=5)
    assert "lesson:algo:47" in [hit.chunk.key for hit in hits]


def test_a_learners_plan_is_boosted_or_filtered(curriculum_retriever: Retriever) -> None:
    question = "Docker Compose"
    plain = {hit.chunk.key: hit for hit in curriculum_retriever.search(question, k=6)}
    boosted = curriculum_retriever.search(question, k=6, scope=Scope(plan="ai-fullstack-100"))
    both = [hit for hit in boosted if hit.chunk.key in plain]
    assert {hit.chunk.plan for hit in both} == {"ai-fullstack-100", "llm-app-180"}
    for hit in both:
        factor = 1 + PLAN_BOOST if hit.chunk.plan == "ai-fullstack-100" else 1
        assert hit.score == pytest.approx(plain[hit.chunk.key].score * factor)
    only = Scope(plan="ai-fullstack-100", track="algo", only=True)
    filtered = curriculum_retriever.search(question, k=6, scope=only)
    assert filtered and all(hit.chunk.plan == "ai-fullstack-100" for hit in filtered)
    assert all(hit.chunk.track in {"algo", None} for hit in filtered)


def test_a_lesson_scope_puts_the_lesson_first(curriculum_retriever: Retriever) -> None:
    scope = Scope(
        plan="ai-fullstack-100", track="algo", lesson_key="ai-fullstack-100/algo/47", only=True
    )
    top = curriculum_retriever.search("参数高效微调", k=3, scope=scope)[0].chunk
    assert top.lesson_key == "ai-fullstack-100/algo/47"


@pytest.mark.parametrize("scope", [None, Scope(plan="ai-fullstack-100", track="algo", only=True)])
def test_in_process_prefetches_match_qdrants_own(
    curriculum_retriever: Retriever, scope: Scope | None
) -> None:
    index = curriculum_retriever.index
    assert index.in_process
    local = index._local_vectors()
    keep = local.mask(scope)
    for question in QUESTIONS:
        terms = JiebaSparse().embed_query(expand_query(question))
        query = models.SparseVector(indices=terms.indices, values=terms.values)
        ours = local.search_sparse(query, 40, keep)
        qdrant = index.client.query_points(
            index.collection,
            query=query,
            using="sparse",
            limit=40,
            query_filter=scope_filter(scope),
        ).points
        ours_scores = [point.score for point in ours]
        assert np.allclose(ours_scores, [point.score for point in qdrant], rtol=1e-5), question
        # Ties may come in another order; above the last score, the same points.
        cut = ours_scores[-1] * (1 + 1e-5) if ours_scores else 0
        assert {p.id for p in ours if p.score > cut} == {str(p.id) for p in qdrant if p.score > cut}
        dense = index.embeddings.embed_query(expand_query(question))
        ours_dense = local.search_dense(dense, 10, keep)
        qdrant_dense = index.client.query_points(
            index.collection, query=dense, using="dense", limit=10, query_filter=scope_filter(scope)
        ).points
        assert [p.id for p in ours_dense] == [str(p.id) for p in qdrant_dense], question
        assert np.allclose(
            [p.score for p in ours_dense], [p.score for p in qdrant_dense], atol=1e-5
        )


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
@pytest.mark.parametrize(
    "scope",
    [
        None,
        Scope(plan="ai-fullstack-100", track="algo"),
        Scope(plan="llm-app-180", lesson_key="llm-app-180/common/41", only=True),
    ],
)
def test_the_query_api_and_the_in_process_path_agree_at_the_top(
    curriculum_retriever: Retriever, scope: Scope | None, fusion: str
) -> None:
    fast = curriculum_retriever.index
    query_api = HybridIndex(fast.client, fast.embeddings, in_process=False)
    for question in QUESTIONS:
        ours = [hit.chunk.key for hit in fast.search(question, 6, scope=scope, fusion=fusion)]
        theirs = [
            hit.chunk.key for hit in query_api.search(question, 6, scope=scope, fusion=fusion)
        ]
        # Points with equal sparse scores may come in another order (Qdrant leaves ties to
        # storage order), which moves them in the fusion; beyond that the two agree.
        assert ours[0] in theirs[:3] and theirs[0] in ours[:3], question
        assert len(set(ours) & set(theirs)) >= 4, question


def _note(doc: str, key: str, text: str) -> Chunk:
    return Chunk(doc=doc, key=key, text=text, source="paper", kind="paper", title="note")


def test_sync_adds_updates_and_removes_only_what_changed(paper_retriever: Retriever) -> None:
    index = paper_retriever.index
    first = index.sync(
        "paper:x", [_note("paper:x", "0", "量化 GPTQ"), _note("paper:x", "1", "蒸馏")]
    )
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    # Searched between syncs, so each sync must refresh what local mode searches in memory.
    assert [hit.chunk.text for hit in index.search("GPTQ 量化", k=1)] == ["量化 GPTQ"]
    again = index.sync(
        "paper:x", [_note("paper:x", "0", "量化 GPTQ"), _note("paper:x", "1", "蒸馏")]
    )
    assert not again.changed and again.unchanged == 2
    changed = index.sync("paper:x", [_note("paper:x", "0", "量化 AWQ")])
    assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (0, 1, 1, 0)
    assert [hit.chunk.text for hit in index.search("AWQ 量化", k=5)] == ["量化 AWQ"]
    with pytest.raises(ValueError):
        index.sync("paper:y", [_note("paper:x", "0", "elsewhere")])
    assert index.remove("paper:x") == 1 and index.count() == 0
    assert index.search("AWQ 量化", k=5) == []


def test_an_empty_index_answers_every_kind_of_scope(paper_retriever: Retriever) -> None:
    index = paper_retriever.index
    for scope in (
        None,
        Scope(plan="ai-fullstack-100", track="algo"),
        Scope(plan="ai-fullstack-100", track="algo", only=True),
        Scope(plan="llm-app-180", lesson_key="llm-app-180/common/41", only=True),
    ):
        assert index.search("LoRA", k=3, scope=scope) == []


class FailingOnSecondBatch(Embeddings):
    """The real model, failing on the second batch of passages (counted from the last reset),
    as an endpoint that goes away mid-sync would."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.batches = 0
        self.dimension = len(inner.embed_query("dimension"))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches += 1
        if self.batches == 2:
            raise ConnectionError("embedding endpoint went away")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_a_sync_that_fails_halfway_leaves_search_seeing_what_was_written(
    embeddings: Embeddings,
) -> None:
    flaky = FailingOnSecondBatch(embeddings)
    index = HybridIndex.open(IndexConfig(), flaky)
    index.sync("paper:a", [_note("paper:a", "0", "蒸馏 distillation")])
    assert index.search("蒸馏", k=1)  # the in-memory copy now exists
    flaky.batches = 0
    notes = [_note("paper:b", str(n), f"量化 note {n}") for n in range(100)]
    with pytest.raises(ConnectionError):
        index.sync("paper:b", notes)
    written = index.count() - 1
    assert 0 < written < len(notes)
    found = {hit.chunk.doc for hit in index.search("量化 note", k=5)}
    assert found == {"paper:b"}


async def test_an_openai_compatible_embeddings_endpoint_can_replace_e5() -> None:
    import asyncio

    from retrieval import EmbeddingConfig, IndexConfig
    from retrieval.embeddings import build_embeddings
    from tests.support.openai_standin import OpenAIStandIn

    async with OpenAIStandIn() as server:
        config = EmbeddingConfig(base_url=server.base_url, model="embedder", api_key="k")
        embeddings = build_embeddings(config)

        def index_and_search() -> list[str]:
            index = HybridIndex.open(IndexConfig(), embeddings)
            index.sync(
                "paper:x", [_note("paper:x", "0", "量化 GPTQ"), _note("paper:x", "1", "蒸馏")]
            )
            vector = embeddings.embed_query("蒸馏")
            assert len(vector) == 64 and abs(float(np.linalg.norm(vector)) - 1) < 1e-6
            return [hit.chunk.text for hit in index.search("蒸馏", k=1)]

        assert await asyncio.to_thread(index_and_search) == ["蒸馏"]
    inputs = [request["input"] for request in server.requests if "input" in request]
    assert ["量化 GPTQ", "蒸馏"] in inputs and all(
        request["model"] == "embedder" for request in server.requests
    )
