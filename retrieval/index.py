"""The search index: incremental sync by content hash, and hybrid search.

Each point holds a dense vector ("dense", unit length, compared by dot product = cosine) and a
sparse one ("sparse", term frequencies, with Qdrant's IDF modifier). A search is one Query API
request (see `query`): both as prefetches, fused (RRF by default, DBSF on request), the fused
score boosted for the learner's plan and track, a day the question names and the lesson of a
lesson scope; a scope can also filter to one plan instead.

The store is a Qdrant Edge shard in a local folder (`edge_store`, the default) or a Qdrant
server (`server_store`, with `IndexConfig.url`); both answer the same request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings

from .embeddings import fingerprint
from .glossary import expand_query
from .model import Chunk, Hit, IndexConfig, Scope, SyncReport
from .query import (
    CONTENT,
    FUSIONS,
    LESSON_BOOST,
    METADATA,
    PASSAGES,
    PLAN_BOOST,
    TRACK_BOOST,
    Phrasing,
    Request,
    SparseQuery,
    Where,
    check_fusion,
    hybrid_request,
    match,
    mentioned_days,
    scope_filter,
)
from .sparse import TOKENISER_VERSION, term_frequencies
from .store import IndexBusyError, Point, Scored

log = logging.getLogger(__name__)

__all__ = [
    "FUSIONS",
    "LESSON_BOOST",
    "PLAN_BOOST",
    "TRACK_BOOST",
    "HybridIndex",
    "IndexBusyError",
    "JiebaSparse",
    "mentioned_days",
    "scope_filter",
]

# Passages embedded and written per batch: a sync that fails halfway keeps what it wrote.
WRITE_BATCH = 64
# A write this large is followed by an optimisation (segments merged, HNSW built).
OPTIMIZE_AFTER = 2000


class Writer(Protocol):
    def write(self, points: Sequence[Point], stale: Sequence[str]) -> None: ...
    def optimize(self) -> None: ...


class Store(Protocol):
    def payloads(self, where: Where | None, keys: Sequence[str]) -> list[tuple[str, dict]]: ...
    def count(self) -> int: ...
    def query(self, request: Request) -> list[Scored]: ...
    def session(self) -> AbstractContextManager[Writer]: ...
    def close(self) -> None: ...


class JiebaSparse:
    """Sparse vectors from the jieba tokeniser (see `sparse`)."""

    def embed_documents(self, texts: list[str]) -> list[SparseQuery]:
        return [SparseQuery(i, v) for i, v in map(term_frequencies, texts)]

    def embed_query(self, text: str) -> SparseQuery:
        # Repeating a word in a question should not outweigh the other words.
        indices, _ = term_frequencies(text)
        return SparseQuery(indices, [1.0] * len(indices))


def _dimension(embeddings: Embeddings) -> int:
    known = getattr(embeddings, "dimension", None)
    return known if isinstance(known, int) else len(embeddings.embed_query("dimension"))


def open_store(config: IndexConfig, dimension: int) -> Store:
    if config.url:
        from qdrant_client import QdrantClient

        from .server_store import ServerStore

        client = QdrantClient(url=config.url, api_key=config.api_key)
        return ServerStore(client, config.collection, dimension)
    from .edge_store import EdgeStore

    folder = config.path / config.collection if config.path is not None else None
    return EdgeStore(folder, dimension)


class HybridIndex:
    def __init__(
        self,
        store: Store,
        embeddings: Embeddings,
        *,
        fusion: str = "rrf",
        prefetch_limit: int = 40,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.sparse = JiebaSparse()
        self.fusion = check_fusion(fusion)
        self.prefetch_limit = prefetch_limit
        self.salt = f"{fingerprint(embeddings)}|{TOKENISER_VERSION}"
        # Sync compares, embeds and writes; two syncs of one document must not interleave.
        self._write_lock = threading.Lock()
        # One question is searched in several lanes and scopes: embedded once.
        self._phrasing = lru_cache(maxsize=128)(self._phrase)

    @classmethod
    def open(cls, config: IndexConfig, embeddings: Embeddings) -> HybridIndex:
        store = open_store(config, _dimension(embeddings))
        return cls(store, embeddings, fusion=config.fusion, prefetch_limit=config.prefetch_limit)

    def close(self) -> None:
        self.store.close()

    def count(self) -> int:
        return self.store.count()

    def docs(self) -> set[str]:
        return {str(meta.get("doc")) for _, meta in self.store.payloads(None, ["doc"])}

    def _hashes(self, doc: str) -> dict[str, str]:
        where = Where(must=(match("doc", doc),))
        return {
            point_id: str(meta.get("content_hash"))
            for point_id, meta in self.store.payloads(where, ["content_hash"])
        }

    # --- writing --------------------------------------------------------------------------

    def sync(self, doc: str, chunks: Iterable[Chunk]) -> SyncReport:
        """Make the document's points exactly these chunks; embed only what changed."""
        wanted: dict[str, tuple[Chunk, str]] = {}
        for chunk in chunks:
            if chunk.doc != doc:
                raise ValueError(f"chunk {chunk.key} belongs to {chunk.doc}, not {doc}")
            wanted[chunk.id] = (chunk, chunk.content_hash(self.salt))
        with self._write_lock:
            existing = self._hashes(doc)
            report = SyncReport()
            writes: list[tuple[str, Chunk, str]] = []
            for point_id, (chunk, digest) in wanted.items():
                if point_id not in existing:
                    report.added += 1
                elif existing[point_id] != digest:
                    report.updated += 1
                else:
                    report.unchanged += 1
                    continue
                writes.append((point_id, chunk, digest))
            stale = [point_id for point_id in existing if point_id not in wanted]
            report.removed = len(stale)
            if not report.changed:
                return report
            with self.store.session() as session:
                for start in range(0, len(writes), WRITE_BATCH):
                    session.write(self._points(writes[start : start + WRITE_BATCH]), [])
                if stale:
                    session.write([], stale)
                if len(writes) >= OPTIMIZE_AFTER:
                    session.optimize()
            return report

    def _points(self, writes: list[tuple[str, Chunk, str]]) -> list[Point]:
        texts = [chunk.text for _, chunk, _ in writes]
        dense = self.embeddings.embed_documents(texts)
        sparse = self.sparse.embed_documents(texts)
        return [
            Point(
                id=point_id,
                dense=vector,
                indices=terms.indices,
                values=terms.values,
                payload={CONTENT: chunk.text, METADATA: chunk.metadata() | {"content_hash": h}},
            )
            for (point_id, chunk, h), vector, terms in zip(writes, dense, sparse, strict=True)
        ]

    def optimize(self) -> None:
        """Merge segments and build HNSW where it pays: after a large sync."""
        with self.store.session() as session:
            session.optimize()

    def remove(self, doc: str) -> int:
        with self._write_lock:
            stale = list(self._hashes(doc))
            if stale:
                with self.store.session() as session:
                    session.write([], stale)
            return len(stale)

    # --- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 6,
        scope: Scope | None = None,
        fusion: str | None = None,
        context: str | None = None,
        lane: str | None = PASSAGES,
    ) -> list[Hit]:
        """Top-k chunks for a question, by one hybrid Query API request (see `query`): of the
        lessons, plans and papers (`lane` PASSAGES), the question banks (QUESTIONS) or all.

        Both halves see the question expanded with the glossary (see `glossary`). `context`
        (the previous question of a follow-up) adds the context and question together as a
        second phrasing, fused with the first: "and on which day?" alone finds little.
        """
        phrasings = [self._phrasing(query)]
        if context:
            phrasings.append(self._phrasing(f"{context} {query}"))
        request = hybrid_request(
            phrasings,
            k,
            fusion=fusion or self.fusion,
            prefetch_limit=self.prefetch_limit,
            scope=scope,
            days=mentioned_days(query),
            lane=lane,
        )
        return [_hit(point) for point in self.store.query(request) if point.payload]

    def _phrase(self, query: str) -> Phrasing:
        expanded = expand_query(query)
        return Phrasing(
            dense=self.embeddings.embed_query(expanded),
            sparse=self.sparse.embed_query(expanded),
        )


def _hit(point: Scored) -> Hit:
    payload: dict[str, Any] = point.payload
    return Hit(Chunk.from_metadata(payload[CONTENT], payload[METADATA]), point.score)
