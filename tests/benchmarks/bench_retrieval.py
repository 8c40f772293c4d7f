"""Retrieval: index build time for the curriculum, and /ask latency (question embedding + hybrid
search on Qdrant Edge + the extractive answer) p50/p95 and the serving process's peak RSS, at
curriculum size and at 20,000 chunks.

The 20,000 chunks are synthetic but shaped like the real ones: each joins the text of two real
chunks (so the sparse statistics look like the curriculum's), with a dense vector made from
the two chunks' real e5 vectors plus noise (embedding 20,000 texts on the CPU would take many
minutes and measure the model, not the search). Questions are embedded by the real model.

Each index is written by this process and then served by a fresh one (`--serve`), as the bot
would open it: its peak RSS is the bot's cost of /ask at that size, without the build's.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval import IndexConfig, Retriever, Scope
from retrieval.answer import extractive, passages_from
from retrieval.embeddings import CachedEmbeddings, E5Embeddings
from retrieval.eval import DEFAULT_SET, load_questions
from retrieval.index import HybridIndex
from retrieval.model import Chunk
from retrieval.query import CONTENT

LARGE = 20_000
QUERIES = 200
SEED = 20260302
OWN_SET = Path(__file__).resolve().parents[1] / "retrieval" / "ask_extra.jsonl"
# The bot's own passage cache: a warm one makes the curriculum build seconds, not minutes.
CACHE = Path("data") / "embeddings.sqlite"
SCOPE = Scope(plan="ai-fullstack-100", track="app")


class SyntheticEmbeddings(Embeddings):
    """Stored vectors for the synthetic texts; the real model for questions."""

    fingerprint = "bench-synthetic"
    dimension = 384

    def __init__(self, vectors: dict[str, list[float]], model: Embeddings) -> None:
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


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def ask(retriever: Retriever, question: str) -> None:
    """What /ask does without a model and a database: scoped search, then the extract."""
    hits = retriever.search_for_answer(question, 6, SCOPE)
    extractive(question, passages_from(hits), "unconfigured")


def serve(folder: Path) -> dict[str, Any]:
    """In a fresh process: open the index as the bot does and time /ask."""
    started = time.perf_counter()
    retriever = Retriever(HybridIndex.open(IndexConfig(path=folder), E5Embeddings()))
    queries = questions()
    for question in queries[:5]:
        ask(retriever, question)  # warm: model, jieba, this process's copy of the shard
    opened = time.perf_counter() - started
    wall, cpu, embedding = [], [], []
    load = os.getloadavg()[0]
    for question in queries:
        # Each question embedded anew: the set repeats its questions, the bot's users do not.
        retriever.index._phrasing.cache_clear()
        began, began_cpu = time.perf_counter(), time.process_time()
        ask(retriever, question)
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        began = time.perf_counter()
        retriever.index._phrase(question)
        embedding.append(time.perf_counter() - began)
    size = retriever.index.count()
    retriever.close()
    return {
        "chunks": size,
        "queries": len(queries),
        "open_seconds": round(opened, 1),
        "ask_p50_ms": ms(statistics.median(wall)),
        "ask_p95_ms": ms(percentile(wall, 0.95)),
        # The CPU time of the process: the machine is shared, and this is what a question costs
        # when other processes take turns on the cores.
        "cpu_p50_ms": ms(statistics.median(cpu)),
        "cpu_p95_ms": ms(percentile(cpu, 0.95)),
        # Of which the question's embedding alone (the same call, timed again on its own).
        "embed_p50_ms": ms(statistics.median(embedding)),
        "embed_p95_ms": ms(percentile(embedding, 0.95)),
        "peak_rss_mb": peak_rss_mb(),
        "load_avg": round((load + os.getloadavg()[0]) / 2, 1),
    }


def served(folder: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_retrieval", "--serve", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def build_curriculum(folder: Path, embeddings: Embeddings) -> tuple[Retriever, float]:
    started = time.perf_counter()
    retriever = Retriever(HybridIndex.open(IndexConfig(path=folder), embeddings))
    retriever.sync_curriculum()
    return retriever, time.perf_counter() - started


def real_chunks(retriever: Retriever) -> list[tuple[str, np.ndarray]]:
    """The curriculum's texts and their vectors (from the passage cache the build filled)."""
    store: Any = retriever.index.store
    texts = [record.payload[CONTENT] for record in store._scroll(None, [CONTENT])]
    vectors = retriever.index.embeddings.embed_documents(texts)
    return [
        (text, np.asarray(vector, dtype=np.float32))
        for text, vector in zip(texts, vectors, strict=True)
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
    folder: Path, real: list[tuple[str, np.ndarray]], model: Embeddings
) -> tuple[int, float]:
    pairs = list(synthetic(real, LARGE))
    embeddings = SyntheticEmbeddings({chunk.text: vector for chunk, vector in pairs}, model)
    index = HybridIndex.open(IndexConfig(path=folder), embeddings)
    started = time.perf_counter()
    docs: dict[str, list[Chunk]] = {}
    for chunk, _ in pairs:
        docs.setdefault(chunk.doc, []).append(chunk)
    for doc, chunks in docs.items():
        index.sync(doc, chunks)
    index.optimize()
    seconds = time.perf_counter() - started
    size = index.count()
    index.close()
    return size, seconds


def large_only() -> Iterator[dict[str, Any]]:
    """Only the 20,000-chunk figures (`python -m tests.benchmarks.bench_retrieval --large`)."""
    model = CachedEmbeddings(E5Embeddings(), CACHE)
    with tempfile.TemporaryDirectory() as folder:
        retriever, _ = build_curriculum(Path(folder) / "curriculum", model)
        real = real_chunks(retriever)
        retriever.close()
        size, seconds = build_large(Path(folder) / "large", real, model)
        yield {"benchmark": "retrieval_index_write", "chunks": size, "seconds": round(seconds, 1)}
        yield {"benchmark": "retrieval_ask", **served(Path(folder) / "large")}


def main() -> Iterator[dict[str, Any]]:
    model = CachedEmbeddings(E5Embeddings(), CACHE)
    with tempfile.TemporaryDirectory() as folder:
        retriever, seconds = build_curriculum(Path(folder) / "curriculum", model)
        size = retriever.index.count()
        yield {
            "benchmark": "retrieval_index_build",
            "chunks": size,
            "seconds": round(seconds, 1),
            "load_avg": round(os.getloadavg()[0], 1),
        }
        real = real_chunks(retriever)
        retriever.close()
        yield {"benchmark": "retrieval_ask", **served(Path(folder) / "curriculum")}
        size, seconds = build_large(Path(folder) / "large", real, model)
        yield {"benchmark": "retrieval_index_write", "chunks": size, "seconds": round(seconds, 1)}
        yield {"benchmark": "retrieval_ask", **served(Path(folder) / "large")}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        print(json.dumps(serve(Path(sys.argv[2]))), flush=True)
    else:
        for row in large_only() if sys.argv[1:] == ["--large"] else main():
            print(json.dumps(row), flush=True)
