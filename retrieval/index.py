"""The Qdrant collection: incremental sync by content hash, and hybrid search.

Each point holds a dense vector ("dense", unit length, compared by dot product = cosine) and a
sparse one ("sparse", term frequencies, with Qdrant's IDF modifier). A search runs both as
prefetches of one Query API request and fuses them (RRF by default, DBSF on request). The fused
score can be boosted: for the learner's plan and track, for a day the question names, and for
the lesson of a lesson scope; a scope can also filter to one plan instead.

Writes go through langchain-qdrant's `QdrantVectorStore` (it batches texts through both
embedders and upserts); reads go to the client directly, see `HybridIndex.search`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_qdrant import QdrantVectorStore, RetrievalMode, SparseEmbeddings, SparseVector
from qdrant_client import QdrantClient, models
from qdrant_client.hybrid.fusion import distribution_based_score_fusion, reciprocal_rank_fusion

from .embeddings import fingerprint
from .glossary import expand_query
from .model import Chunk, Hit, IndexConfig, Scope, SyncReport
from .sparse import TOKENISER_VERSION, term_frequencies

log = logging.getLogger(__name__)

DENSE = "dense"
SPARSE = "sparse"
CONTENT = QdrantVectorStore.CONTENT_KEY
METADATA = QdrantVectorStore.METADATA_KEY
FUSIONS = ("rrf", "dbsf")
# Boosts multiply the fused score, so they mean the same under RRF and DBSF.
PLAN_BOOST = 0.25
TRACK_BOOST = 0.15
# A lesson scope (the quiz's "explain") means that lesson first whenever it is a candidate.
LESSON_BOOST = 10.0
LESSON_CHUNKS = 3
DAY_BOOST = 0.5
_DAY_MENTION_RE = re.compile(
    r"第\s*(\d{1,3})\s*天|\bday\s*(\d{1,3})\b|\bD(\d{1,3})\b", re.IGNORECASE
)
SCROLL_PAGE = 1000


class JiebaSparse(SparseEmbeddings):
    """The jieba tokeniser (see `sparse`) behind langchain-qdrant's sparse-embedding interface."""

    def embed_documents(self, texts: list[str]) -> list[SparseVector]:
        return [SparseVector(indices=i, values=v) for i, v in map(term_frequencies, texts)]

    def embed_query(self, text: str) -> SparseVector:
        # Repeating a word in a question should not outweigh the other words.
        indices, _ = term_frequencies(text)
        return SparseVector(indices=indices, values=[1.0] * len(indices))


def open_client(config: IndexConfig) -> QdrantClient:
    if config.url:
        return QdrantClient(url=config.url, api_key=config.api_key)
    if config.path is None:
        return QdrantClient(location=":memory:")
    config.path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(config.path))
    except RuntimeError as error:
        # Local mode locks its folder for one process: say which and what to do instead.
        if "already accessed" not in str(error):
            raise
        raise IndexBusyError(
            f"the index folder {config.path} is in use by another process (the bot?): stop it, "
            "or set TUTORBOT_QDRANT__URL to share a Qdrant server"
        ) from error


class IndexBusyError(RuntimeError):
    """Qdrant's local mode folder is held by another process."""


def _field(name: str) -> str:
    return f"{METADATA}.{name}"


def _match(name: str, value: str) -> models.FieldCondition:
    return models.FieldCondition(key=_field(name), match=models.MatchValue(value=value))


def _own_track(track: str) -> models.Filter:
    # A learner's track includes the lessons every track shares (track is null there).
    return models.Filter(
        should=[
            _match("track", track),
            models.IsNullCondition(is_null=models.PayloadField(key=_field("track"))),
        ]
    )


def scope_filter(scope: Scope | None) -> models.Filter | None:
    if scope is None or not scope.only or scope.plan is None:
        return None
    must: list[models.Condition] = [_match("plan", scope.plan)]
    if scope.track:
        must.append(_own_track(scope.track))
    return models.Filter(must=must)


@dataclass(frozen=True)
class Boost:
    """Multiply the fused score by (1 + weight) for chunks whose `field` equals `value`; the
    field "day" matches chunks whose day range contains the day."""

    weight: float
    field: str
    value: str | int

    def condition(self) -> models.Condition:
        if self.field == "day":
            return models.Filter(
                must=[
                    models.FieldCondition(
                        key=_field("day"), range=models.Range(lte=float(self.value))
                    ),
                    models.FieldCondition(
                        key=_field("day_end"), range=models.Range(gte=float(self.value))
                    ),
                ]
            )
        return _match(self.field, str(self.value))

    def matches(self, metadata: dict[str, Any]) -> bool:
        if self.field == "day":
            first, last = metadata.get("day"), metadata.get("day_end")
            return first is not None and last is not None and first <= int(self.value) <= last
        return metadata.get(self.field) == self.value


def lesson_filter(scope: Scope | None) -> models.Filter | None:
    """A lesson scope's own chunks: a third prefetch, so that they are candidates at all."""
    if scope is None or not scope.lesson_key:
        return None
    return models.Filter(must=[_match("lesson_key", scope.lesson_key)])


def mentioned_days(question: str) -> list[int]:
    """Day numbers a question names: "第47天", "Day 47", "D47" (not "180-day plan")."""
    return sorted(
        {int(number) for groups in _DAY_MENTION_RE.findall(question) for number in groups if number}
    )


def boosts(scope: Scope | None, days: Sequence[int] = ()) -> list[Boost]:
    found = [Boost(DAY_BOOST, "day", day) for day in days]
    if scope is None:
        return found
    if scope.plan and not scope.only:
        found.append(Boost(PLAN_BOOST, "plan", scope.plan))
    if scope.track and not scope.only:
        found.append(Boost(TRACK_BOOST, "track", scope.track))
    if scope.lesson_key:
        found.append(Boost(LESSON_BOOST, "lesson_key", scope.lesson_key))
    return found


def _fusion_query(fusion: str) -> models.FusionQuery:
    if fusion not in FUSIONS:
        raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
    return models.FusionQuery(fusion=models.Fusion.RRF if fusion == "rrf" else models.Fusion.DBSF)


def query_request(
    dense: list[float],
    sparse: models.SparseVector,
    k: int,
    *,
    fusion: str,
    prefetch_limit: int,
    scope: Scope | None = None,
    days: Sequence[int] = (),
) -> dict[str, Any]:
    """The Query API request of a hybrid search (the keyword arguments of `query_points`)."""
    where = scope_filter(scope)
    limit = max(prefetch_limit, k)
    prefetch = [
        models.Prefetch(query=dense, using=DENSE, limit=limit, filter=where),
        models.Prefetch(query=sparse, using=SPARSE, limit=limit, filter=where),
    ]
    if lesson := lesson_filter(scope):
        prefetch.append(
            models.Prefetch(query=dense, using=DENSE, limit=LESSON_CHUNKS, filter=lesson)
        )
    terms = boosts(scope, days)
    if not terms:
        return {"prefetch": prefetch, "query": _fusion_query(fusion), "limit": k}
    factor = models.SumExpression(
        sum=[1.0, *(models.MultExpression(mult=[b.weight, b.condition()]) for b in terms)]
    )
    return {
        "prefetch": [models.Prefetch(prefetch=prefetch, query=_fusion_query(fusion), limit=limit)],
        "query": models.FormulaQuery(formula=models.MultExpression(mult=["$score", factor])),
        "limit": k,
    }


def _top(scores: np.ndarray, rows: np.ndarray, limit: int) -> np.ndarray:
    """The `limit` best of `rows` by score, best first (ties in row order)."""
    if rows.size > limit:
        rows = rows[np.argpartition(-scores[rows], limit - 1)[:limit]]
    return rows[np.argsort(-scores[rows], kind="stable")]


class _LocalVectors:
    """A local-mode collection's vectors in numpy, to answer the Query API request in-process.

    Local mode scores a sparse query by walking every stored vector in Python (about 0.6 s at
    20,000 chunks on this machine) and a dense one with a multi-threaded BLAS product whose
    spinning threads then slow the next question's embedding on a small machine. This holds
    the same vectors as an inverted index (sparse: same IDF formula over the same collection,
    same "no shared term, no result" rule) and a float32 matrix scored single-threaded (dense):
    milliseconds. A Qdrant server does all of it natively and never uses this.
    """

    FIELDS = ("plan", "track", "lesson_key")

    def __init__(
        self,
        ids: list[str],
        payloads: list[dict[str, Any]],
        dense: np.ndarray,
        sparse: list[tuple[int, Any]],
    ) -> None:
        """`sparse` pairs a row with its sparse vector, for the rows that have one."""
        self.ids = ids
        self.size = len(ids)
        self.dense = dense
        self.fields = {
            name: np.array([payload.get(name) for payload in payloads], dtype=object)
            for name in self.FIELDS
        }
        # N of the IDF: Qdrant counts the points that have a sparse vector.
        self.sparse_size = len(sparse)
        collected: dict[int, tuple[list[int], list[float]]] = {}
        for row, vector in sparse:
            for index, value in zip(vector.indices, vector.values, strict=True):
                docs, values = collected.setdefault(index, ([], []))
                docs.append(row)
                values.append(value)
        self.postings: dict[int, tuple[np.ndarray, np.ndarray]] = {
            index: (np.array(docs, dtype=np.int64), np.array(values, dtype=np.float64))
            for index, (docs, values) in collected.items()
        }

    def _idf(self, df: int) -> float:
        # Qdrant's IDF modifier (BM25's idf): ln((N - df + 0.5) / (df + 0.5) + 1).
        return math.log((self.sparse_size - df + 0.5) / (df + 0.5) + 1.0)

    def mask(self, scope: Scope | None) -> np.ndarray | None:
        """The points `scope_filter` keeps, or None for all."""
        if scope_filter(scope) is None:
            return None
        assert scope is not None
        keep = self.fields["plan"] == scope.plan
        if scope.track:
            tracks = self.fields["track"]
            keep &= (tracks == scope.track) | np.array([t is None for t in tracks], dtype=bool)
        return keep

    def lesson(self, lesson_key: str) -> np.ndarray:
        return self.fields["lesson_key"] == lesson_key

    def _points(self, scores: np.ndarray, rows: np.ndarray) -> list[models.ScoredPoint]:
        return [
            models.ScoredPoint(id=self.ids[row], version=0, score=float(scores[row]))
            for row in rows
        ]

    def search_dense(
        self, query: list[float], limit: int, keep: np.ndarray | None
    ) -> list[models.ScoredPoint]:
        # einsum rather than `@`: no BLAS threads (see the class docstring).
        scores = np.einsum("ij,j->i", self.dense, np.asarray(query, dtype=np.float32))
        rows = np.flatnonzero(keep) if keep is not None else np.arange(self.size)
        return self._points(scores, _top(scores, rows, limit))

    def search_sparse(
        self, query: models.SparseVector, limit: int, keep: np.ndarray | None
    ) -> list[models.ScoredPoint]:
        scores = np.zeros(self.size)
        touched = np.zeros(self.size, dtype=bool)
        for index, value in zip(query.indices, query.values, strict=True):
            posting = self.postings.get(index)
            if posting is None:
                continue
            docs, values = posting
            scores[docs] += value * self._idf(len(docs)) * values
            touched[docs] = True
        if keep is not None:
            touched &= keep
        return self._points(scores, _top(scores, np.flatnonzero(touched), limit))


@dataclass(frozen=True, slots=True)
class _Encoded:
    """A question as the index searches it: dense and sparse vectors, and the days it names."""

    dense: list[float]
    sparse: models.SparseVector
    days: list[int]


class HybridIndex:
    def __init__(
        self,
        client: QdrantClient,
        embeddings: Embeddings,
        *,
        collection: str = "tutorbot",
        fusion: str = "rrf",
        prefetch_limit: int = 40,
        in_process: bool = True,
        sparse: SparseEmbeddings | None = None,
    ) -> None:
        _fusion_query(fusion)
        self.client = client
        self.collection = collection
        self.embeddings = embeddings
        self.sparse = sparse or JiebaSparse()
        self.fusion = fusion
        self.prefetch_limit = prefetch_limit
        # Only local mode needs the in-process scoring.
        self.in_process = in_process and self.is_local
        self.salt = f"{fingerprint(embeddings)}|{TOKENISER_VERSION}"
        self._local: _LocalVectors | None = None
        # Local mode is not thread-safe, and the bot searches from worker threads.
        self._lock = threading.RLock()
        self.dimension = self._ensure_collection()
        self._store = QdrantVectorStore(
            client=client,
            collection_name=collection,
            embedding=embeddings,
            sparse_embedding=self.sparse,
            retrieval_mode=RetrievalMode.HYBRID,
            vector_name=DENSE,
            sparse_vector_name=SPARSE,
            validate_embeddings=False,
            validate_collection_config=False,
        )

    @classmethod
    def open(cls, config: IndexConfig, embeddings: Embeddings, **kwargs: Any) -> HybridIndex:
        return cls(
            open_client(config),
            embeddings,
            collection=config.collection,
            fusion=config.fusion,
            prefetch_limit=config.prefetch_limit,
            in_process=config.in_process,
            **kwargs,
        )

    @property
    def is_local(self) -> bool:
        # Local mode (path or :memory:) has no HTTP/gRPC transport behind it.
        from qdrant_client.local.qdrant_local import QdrantLocal

        return isinstance(self.client._client, QdrantLocal)

    def close(self) -> None:
        self.client.close()

    # --- the collection -------------------------------------------------------------------

    def _dimension(self) -> int:
        known = getattr(self.embeddings, "dimension", None)
        return known if isinstance(known, int) else len(self.embeddings.embed_query("dimension"))

    def _ensure_collection(self) -> int:
        """Create the collection, or rebuild it when it does not fit; its vectors' dimension."""
        dimension = self._dimension()
        if self.client.collection_exists(self.collection):
            info = self.client.get_collection(self.collection)
            vectors = info.config.params.vectors
            sparse = info.config.params.sparse_vectors or {}
            dense = vectors.get(DENSE) if isinstance(vectors, dict) else None
            modifier = sparse[SPARSE].modifier if SPARSE in sparse else None
            if (
                dense is not None
                and (dense.size, dense.distance) == (dimension, models.Distance.DOT)
                and modifier == models.Modifier.IDF
            ):
                return dimension
            log.warning("collection %s does not fit the embeddings; rebuilding", self.collection)
            self.client.delete_collection(self.collection)
        self.client.create_collection(
            self.collection,
            # The embedders return unit vectors, so the dot product is the cosine; local mode
            # would otherwise re-normalise every stored vector on every query.
            vectors_config={
                DENSE: models.VectorParams(size=dimension, distance=models.Distance.DOT)
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if not self.is_local:
            # Local mode keeps everything in memory and ignores payload indexes.
            for name in ("doc", "plan", "track", "lesson_key"):
                self.client.create_payload_index(
                    self.collection, _field(name), models.PayloadSchemaType.KEYWORD
                )
        return dimension

    def count(self) -> int:
        return self.client.count(self.collection, exact=True).count

    def _scroll(
        self, where: models.Filter | None, payload: Sequence[str] | bool, vectors: Any = False
    ) -> Iterable[models.Record]:
        offset = None
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=where,
                limit=SCROLL_PAGE,
                offset=offset,
                with_payload=payload if isinstance(payload, bool) else list(payload),
                with_vectors=vectors,
            )
            yield from records
            if offset is None:
                return

    def docs(self) -> set[str]:
        with self._lock:
            return {
                str(record.payload[METADATA]["doc"])
                for record in self._scroll(None, [_field("doc")])
                if record.payload
            }

    def _hashes(self, doc: str) -> dict[str, str]:
        return {
            str(record.id): str(record.payload[METADATA].get("content_hash"))
            for record in self._scroll(_match_doc(doc), [_field("content_hash")])
            if record.payload
        }

    # --- writing --------------------------------------------------------------------------

    def sync(self, doc: str, chunks: Iterable[Chunk]) -> SyncReport:
        """Make the document's points exactly these chunks; embed only what changed."""
        wanted: dict[str, tuple[Chunk, str]] = {}
        for chunk in chunks:
            if chunk.doc != doc:
                raise ValueError(f"chunk {chunk.key} belongs to {chunk.doc}, not {doc}")
            wanted[chunk.id] = (chunk, chunk.content_hash(self.salt))
        with self._lock:
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
            stale: list[models.ExtendedPointId] = [p for p in existing if p not in wanted]
            report.removed = len(stale)
            if report.changed:
                # Before writing: a write that fails halfway has still changed the collection.
                self._local = None
            if writes:
                self._store.add_texts(
                    [chunk.text for _, chunk, _ in writes],
                    metadatas=[chunk.metadata() | {"content_hash": h} for _, chunk, h in writes],
                    ids=[point_id for point_id, _, _ in writes],
                )
            if stale:
                self.client.delete(
                    self.collection, points_selector=models.PointIdsList(points=stale)
                )
            return report

    def remove(self, doc: str) -> int:
        with self._lock:
            stale: list[models.ExtendedPointId] = list(self._hashes(doc))
            if stale:
                self._local = None
                self.client.delete(
                    self.collection, points_selector=models.PointIdsList(points=stale)
                )
            return len(stale)

    # --- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 6,
        scope: Scope | None = None,
        fusion: str | None = None,
        context: str | None = None,
    ) -> list[Hit]:
        """Top-k chunks for a question, by hybrid search.

        The request is built for Qdrant's Query API (`query_request`) and sent as is to a
        server. In local mode with `in_process` (the default) the same request is answered
        in-process instead: its prefetches by `_LocalVectors`, fused by the client library's
        own RRF/DBSF functions and boosted by the same factors, because local mode's own
        scoring is too slow at 20,000 chunks (see `_LocalVectors`).
        Both halves see the question expanded with the glossary (see `glossary`).
        langchain-qdrant's `similarity_search` offers one fusion and a filter but no
        boosting and no access to the prefetches, hence the client.

        `context` (the previous question of a follow-up) adds a second search for context and
        question together, fused with the first by RRF: "and on which day?" alone finds little.
        """
        fusion = fusion or self.fusion
        # Embedding may be a network call: done before taking the lock, which guards only
        # local mode's files and the in-memory copy.
        asked = [self._encode(query)]
        if context:
            asked.append(self._encode(f"{context} {query}"))
        with self._lock if self.is_local else contextlib.nullcontext():
            results = [self._points(encoded, k, scope, fusion) for encoded in asked]
            points = results[0] if len(results) == 1 else reciprocal_rank_fusion(results, limit=k)
            return [
                Hit(
                    Chunk.from_metadata(point.payload[CONTENT], point.payload[METADATA]),
                    point.score,
                )
                for point in points
                if point.payload
            ]

    def _encode(self, query: str) -> _Encoded:
        expanded = expand_query(query)
        term_vector = self.sparse.embed_query(expanded)
        return _Encoded(
            dense=self.embeddings.embed_query(expanded),
            sparse=models.SparseVector(indices=term_vector.indices, values=term_vector.values),
            days=mentioned_days(query),
        )

    def _points(
        self, encoded: _Encoded, k: int, scope: Scope | None, fusion: str
    ) -> list[models.ScoredPoint]:
        dense, sparse, days = encoded.dense, encoded.sparse, encoded.days
        if self.in_process:
            return self._search_in_process(dense, sparse, k, fusion, boosts(scope, days), scope)
        request = query_request(
            dense,
            sparse,
            k,
            fusion=fusion,
            prefetch_limit=self.prefetch_limit,
            scope=scope,
            days=days,
        )
        return self.client.query_points(self.collection, with_payload=True, **request).points

    def _local_vectors(self) -> _LocalVectors:
        if self._local is None:
            ids: list[str] = []
            payloads: list[dict[str, Any]] = []
            pages: list[np.ndarray] = []
            sparse: list[tuple[int, Any]] = []
            fields = [_field(name) for name in _LocalVectors.FIELDS]
            page: list[list[float]] = []
            for record in self._scroll(None, fields, vectors=[DENSE, SPARSE]):
                vectors: dict[str, Any] = record.vector or {}  # type: ignore[assignment]
                if vectors.get(SPARSE) is not None:
                    sparse.append((len(ids), vectors[SPARSE]))
                ids.append(str(record.id))
                payloads.append((record.payload or {}).get(METADATA) or {})
                page.append(vectors[DENSE])
                if len(page) == SCROLL_PAGE:  # keep float lists short-lived
                    pages.append(np.asarray(page, dtype=np.float32))
                    page = []
            pages.append(np.asarray(page, dtype=np.float32).reshape(-1, self.dimension))
            self._local = _LocalVectors(ids, payloads, np.vstack(pages), sparse)
        return self._local

    def _search_in_process(
        self,
        dense: list[float],
        sparse: models.SparseVector,
        k: int,
        fusion: str,
        terms: list[Boost],
        scope: Scope | None,
    ) -> list[models.ScoredPoint]:
        limit = max(self.prefetch_limit, k)
        local = self._local_vectors()
        keep = local.mask(scope)
        sources = [local.search_dense(dense, limit, keep), local.search_sparse(sparse, limit, keep)]
        if scope is not None and scope.lesson_key:
            sources.append(local.search_dense(dense, LESSON_CHUNKS, local.lesson(scope.lesson_key)))
        # With boosts the fusion keeps every candidate, as the Query API's inner prefetch does.
        if fusion == "rrf":
            fused = reciprocal_rank_fusion(sources, limit=limit if terms else k)
        else:
            fused = distribution_based_score_fusion(sources, limit=limit if terms else k)
        records = {
            str(record.id): record
            for record in self.client.retrieve(
                self.collection, [point.id for point in fused], with_payload=True
            )
        }
        for point in fused:
            point.payload = records[str(point.id)].payload
            metadata = (point.payload or {}).get(METADATA) or {}
            point.score *= 1.0 + sum(b.weight for b in terms if b.matches(metadata))
        if terms:
            fused = sorted(fused, key=lambda point: point.score, reverse=True)[:k]
        return fused


def _match_doc(doc: str) -> models.Filter:
    return models.Filter(must=[_match("doc", doc)])
