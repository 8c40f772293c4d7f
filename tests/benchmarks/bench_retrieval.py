"""Retrieval: index build time for the whole curriculum, query latency (question embedding +
hybrid search) p50/p95 at curriculum size and at 20,000 chunks, and peak RSS.

The 20,000 chunks are synthetic but shaped like the real ones: each joins the text of two real
chunks (so the sparse statistics look like the curriculum's), with a dense vector made from
the two chunks' real e5 vectors plus noise (embedding 20,000 texts on the CPU would take many
minutes and measure the model, not the search). Questions are embedded by the real model.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval import IndexConfig, Retriever
from retrieval.embeddings import E5Embeddings
from retrieval.eval import DEFAULT_SET, load_questions
from retrieval.glossary import expand_query
from retrieval.index import DENSE, HybridIndex
from retrieval.model import Chunk

LARGE = 20_000
QUERIES = 200
QUERY_API_QUERIES = 20
SEED = 20260302
OWN_SET = Path(__file__).resolve().parents[1] / "retrieval" / "ask_extra.jsonl"


class SyntheticEmbeddings(Embeddings):
    """Stored vectors for the synthetic texts; the real model for questions."""

    fingerprint = "bench-synthetic"
    dimension = 384

    def __init__(self, vectors: dict[str, list[float]], model: E5Embeddings) -> None:
        self.vectors = vectors
        self.model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def questions() -> list[str]:
    texts = [
        q.text for path in (DEFAULT_SET, OWN_SET) if path.exists() for q in load_questions(path)
    ]
    return [texts[i % len(texts)] for i in range(QUERIES)]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(index: HybridIndex, queries: list[str]) -> dict[str, float]:
    """Wall-clock p50/p95, and the same for the process's CPU time: the machine is shared, and
    the CPU figures show what a query costs when other processes take turns on the cores."""
    for question in queries[:5]:
        index.search(question, 6)  # warm: model, jieba, the sparse matrix
    wall, cpu, embedding = [], [], []
    load = os.getloadavg()[0]
    for question in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        index.search(question, 6)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        started = time.perf_counter()
        index.embeddings.embed_query(expand_query(question))
        embedding.append(time.perf_counter() - started)
    return {
        "p50_ms": ms(statistics.median(wall)),
        "p95_ms": ms(percentile(wall, 0.95)),
        "cpu_p50_ms": ms(statistics.median(cpu)),
        "cpu_p95_ms": ms(percentile(cpu, 0.95)),
        # Of which the question's embedding alone (the same call, timed again on its own).
        "embed_p50_ms": ms(statistics.median(embedding)),
        "embed_p95_ms": ms(percentile(embedding, 0.95)),
        "load_avg": round((load + os.getloadavg()[0]) / 2, 1),
    }


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def build_curriculum(folder: Path, model: E5Embeddings) -> tuple[Retriever, float]:
    started = time.perf_counter()
    retriever = Retriever(HybridIndex.open(IndexConfig(path=folder), model))
    retriever.sync_curriculum()
    return retriever, time.perf_counter() - started


def real_chunks(index: HybridIndex) -> list[tuple[str, np.ndarray]]:
    records = index._scroll(None, True, vectors=[DENSE])
    return [
        (record.payload["page_content"], np.asarray(record.vector[DENSE], dtype=np.float32))  # type: ignore[index,call-overload]
        for record in records
        if record.payload
    ]


def synthetic(
    real: list[tuple[str, np.ndarray]], count: int
) -> Iterator[tuple[Chunk, list[float]]]:
    rng = random.Random(SEED)
    noise = np.random.default_rng(SEED)
    for number in range(count):
        (text_a, vector_a), (text_b, vector_b) = rng.sample(real, 2)
        vector = vector_a + vector_b + noise.normal(0, 0.02, vector_a.shape).astype(np.float32)
        text = f"{text_a}\n{text_b.partition(chr(10))[2]}\n#{number}"
        chunk = Chunk(
            doc=f"bench:{number // 1000}",
            key=str(number),
            text=text,
            source="paper",
            kind="paper",
            title=f"synthetic {number}",
        )
        yield chunk, (vector / np.linalg.norm(vector)).tolist()


def build_large(
    real: list[tuple[str, np.ndarray]], model: E5Embeddings
) -> tuple[HybridIndex, float]:
    pairs = list(synthetic(real, LARGE))
    embeddings = SyntheticEmbeddings({chunk.text: vector for chunk, vector in pairs}, model)
    index = HybridIndex.open(IndexConfig(), embeddings)  # local mode, in memory
    started = time.perf_counter()
    docs: dict[str, list[Chunk]] = {}
    for chunk, _ in pairs:
        docs.setdefault(chunk.doc, []).append(chunk)
    for doc, chunks in docs.items():
        index.sync(doc, chunks)
    return index, time.perf_counter() - started


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> Iterator[dict[str, Any]]:
    model = E5Embeddings()
    queries = questions()
    with tempfile.TemporaryDirectory() as folder:
        retriever, seconds = build_curriculum(Path(folder) / "index", model)
        size = retriever.index.count()
        yield {
            "benchmark": "retrieval_index_build",
            "chunks": size,
            "seconds": round(seconds, 1),
            "load_avg": round(os.getloadavg()[0], 1),
        }
        yield {
            "benchmark": "retrieval_query",
            "chunks": size,
            "queries": len(queries),
            **latency(retriever.index, queries),
        }
        real = real_chunks(retriever.index)
        retriever.close()
    large, load_seconds = build_large(real, model)
    size = large.count()
    yield {
        "benchmark": "retrieval_query",
        "chunks": size,
        "queries": len(queries),
        "load_seconds": round(load_seconds, 1),
        **latency(large, queries),
    }
    # For comparison: local mode answering the whole Query API request itself.
    query_api = HybridIndex(large.client, large.embeddings, in_process=False)
    yield {
        "benchmark": "retrieval_query_local_query_api",
        "chunks": size,
        "queries": QUERY_API_QUERIES,
        **latency(query_api, queries[:QUERY_API_QUERIES]),
    }
    large.close()
    yield {"benchmark": "retrieval_peak_rss", "mb": peak_rss_mb()}


if __name__ == "__main__":
    import json

    for row in main():
        print(json.dumps(row), flush=True)
