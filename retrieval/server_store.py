"""A Qdrant server (`TUTORBOT_QDRANT__URL`) through qdrant-client: the production twin of
`edge_store`, answering the same request (`query.hybrid_request`) translated into its models."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient, models

from .query import (
    DENSE,
    SPARSE,
    Boosted,
    Condition,
    Fused,
    IsNull,
    Match,
    Nearest,
    Range,
    Request,
    SparseQuery,
    Where,
    field,
)
from .store import INDEXED_FIELDS, SCROLL_PAGE, Point, Scored

log = logging.getLogger(__name__)


def _condition(condition: Condition) -> models.Condition:
    if isinstance(condition, Match):
        return models.FieldCondition(
            key=condition.key, match=models.MatchValue(value=condition.value)
        )
    if isinstance(condition, IsNull):
        return models.IsNullCondition(is_null=models.PayloadField(key=condition.key))
    if isinstance(condition, Range):
        return models.FieldCondition(
            key=condition.key, range=models.Range(gte=condition.gte, lte=condition.lte)
        )
    return _filter(condition)  # type: ignore[return-value]


def _filter(where: Where | None) -> models.Filter | None:
    if where is None:
        return None
    return models.Filter(
        must=[_condition(c) for c in where.must] or None,
        should=[_condition(c) for c in where.should] or None,
        must_not=[_condition(c) for c in where.must_not] or None,
    )


def _prefetch(source: Nearest) -> models.Prefetch:
    vector = source.vector
    query: Any = (
        models.SparseVector(indices=vector.indices, values=vector.values)
        if isinstance(vector, SparseQuery)
        else vector
    )
    return models.Prefetch(
        query=query, using=source.using, limit=source.limit, filter=_filter(source.where)
    )


def _fusion(fusion: str) -> models.Query:
    # The server's RRF ranking constant is its default, RRF_K, as Qdrant Edge is given.
    return models.FusionQuery(fusion=models.Fusion.RRF if fusion == "rrf" else models.Fusion.DBSF)


def client_request(request: Request) -> dict[str, Any]:
    """The request as the keyword arguments of `QdrantClient.query_points`."""
    if isinstance(request, Fused):
        return {
            "prefetch": [_prefetch(source) for source in request.sources],
            "query": _fusion(request.fusion),
            "limit": request.limit,
        }
    assert isinstance(request, Boosted)
    inner = request.inner
    fused = models.Prefetch(
        prefetch=[_prefetch(source) for source in inner.sources],
        query=_fusion(inner.fusion),
        limit=inner.limit,
    )
    factor = models.SumExpression(
        sum=[1.0, *(models.MultExpression(mult=[w, _condition(c)]) for w, c in request.terms)]
    )
    return {
        "prefetch": [fused],
        "query": models.FormulaQuery(formula=models.MultExpression(mult=["$score", factor])),
        "limit": request.limit,
    }


class ServerStore:
    def __init__(self, client: QdrantClient, collection: str, dimension: int) -> None:
        self.client = client
        self.collection = collection
        self.dimension = dimension
        self._ensure_collection()

    def _ensure_collection(self) -> None:
        """Create the collection, or rebuild it when it does not fit the embeddings."""
        if self.client.collection_exists(self.collection):
            info = self.client.get_collection(self.collection)
            vectors = info.config.params.vectors
            sparse = info.config.params.sparse_vectors or {}
            dense = vectors.get(DENSE) if isinstance(vectors, dict) else None
            modifier = sparse[SPARSE].modifier if SPARSE in sparse else None
            if (
                dense is not None
                and (dense.size, dense.distance) == (self.dimension, models.Distance.DOT)
                and modifier == models.Modifier.IDF
            ):
                return
            log.warning("collection %s does not fit the embeddings; rebuilding", self.collection)
            self.client.delete_collection(self.collection)
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: models.VectorParams(size=self.dimension, distance=models.Distance.DOT)
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        for name in INDEXED_FIELDS:
            self.client.create_payload_index(
                self.collection, field(name), models.PayloadSchemaType.KEYWORD
            )

    def close(self) -> None:
        self.client.close()

    def _scroll(self, where: Where | None, keys: Sequence[str]) -> Iterator[models.Record]:
        offset = None
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=_filter(where),
                limit=SCROLL_PAGE,
                offset=offset,
                with_payload=list(keys),
                with_vectors=False,
            )
            yield from records
            if offset is None:
                return

    def payloads(self, where: Where | None, keys: Sequence[str]) -> list[tuple[str, dict]]:
        return [
            (str(record.id), (record.payload or {}).get("metadata") or {})
            for record in self._scroll(where, [field(key) for key in keys])
        ]

    def count(self) -> int:
        return self.client.count(self.collection, exact=True).count

    def query(self, request: Request) -> list[Scored]:
        points = self.client.query_points(
            self.collection, with_payload=True, **client_request(request)
        ).points
        return [Scored(str(point.id), point.score, point.payload or {}) for point in points]

    @contextlib.contextmanager
    def session(self) -> Iterator[ServerStore]:
        """Writes go to the server one by one; it orders and persists them itself."""
        yield self

    def write(self, points: Sequence[Point], stale: Sequence[str]) -> None:
        if points:
            self.client.upsert(
                self.collection,
                points=[
                    models.PointStruct(
                        id=point.id,
                        vector={
                            DENSE: point.dense,
                            SPARSE: models.SparseVector(indices=point.indices, values=point.values),
                        },
                        payload=point.payload,
                    )
                    for point in points
                ],
            )
        if stale:
            self.client.delete(
                self.collection, points_selector=models.PointIdsList(points=list(stale))
            )

    def optimize(self) -> None:
        """The server optimises by itself."""
