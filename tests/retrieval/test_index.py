"""The index: idempotent incremental sync, hybrid search, scoping, and Qdrant Edge agreeing
with the server path on the same request."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from qdrant_client import QdrantClient

from retrieval import IndexConfig, Retriever, Scope
from retrieval.index import PLAN_BOOST, HybridIndex, mentioned_days
from retrieval.model import Chunk
from retrieval.server_store import ServerStore

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
    assert "bank:ai-fullstack-100" in curriculum_retriever.index.docs()


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


@pytest.fixture(scope="module")
def server_index(curriculum_retriever: Retriever) -> Iterator[HybridIndex]:
    """The same chunks behind qdrant-client (its local mode stands in for a server): the path
    `TUTORBOT_QDRANT__URL` takes, with the same request translated into the client's models."""
    edge = curriculum_retriever.index
    store = ServerStore(QdrantClient(location=":memory:"), "tutorbot", 384)
    index = HybridIndex(store, edge.embeddings)
    Retriever(index, documents=curriculum_retriever.documents).sync_curriculum()
    yield index
    index.close()


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
@pytest.mark.parametrize(
    "scope",
    [
        None,
        Scope(plan="ai-fullstack-100", track="algo"),
        Scope(plan="ai-fullstack-100", track="algo", only=True),
        Scope(plan="llm-app-180", lesson_key="llm-app-180/common/41", only=True),
    ],
)
def test_qdrant_edge_and_the_server_path_agree(
    curriculum_retriever: Retriever, server_index: HybridIndex, scope: Scope | None, fusion: str
) -> None:
    edge = curriculum_retriever.index
    assert server_index.count() == edge.count()
    for question in QUESTIONS:
        ours = [hit.chunk.key for hit in edge.search(question, 6, scope=scope, fusion=fusion)]
        theirs = [
            hit.chunk.key for hit in server_index.search(question, 6, scope=scope, fusion=fusion)
        ]
        # Points with equal sparse scores may come in another order (ties are left to storage
        # order), which moves them in the fusion; beyond that the two agree.
        assert ours[0] in theirs[:3] and theirs[0] in ours[:3], question
        assert len(set(ours) & set(theirs)) >= 4, question


def test_a_follow_up_is_one_request_with_both_phrasings(curriculum_retriever: Retriever) -> None:
    index = curriculum_retriever.index
    alone = [hit.chunk.key for hit in index.search("what should I practise?", 5)]
    followed = index.search("what should I practise?", 5, context="Which day covers LoRA?")
    assert any("LoRA" in hit.chunk.text for hit in followed[:3])
    assert [hit.chunk.key for hit in followed] != alone


def _note(doc: str, key: str, text: str) -> Chunk:
    return Chunk(doc=doc, key=key, text=text, source="paper", kind="paper", title="note")


def test_sync_adds_updates_and_removes_only_what_changed(paper_retriever: Retriever) -> None:
    index = paper_retriever.index
    first = index.sync(
        "paper:x", [_note("paper:x", "0", "量化 GPTQ"), _note("paper:x", "1", "蒸馏")]
    )
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    # Searched between syncs: each sync must be seen by the next search.
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
    assert index.search("蒸馏", k=1)
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
