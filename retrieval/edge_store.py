"""The embedded store: a Qdrant Edge shard in a local folder (no server, no background process).

Qdrant Edge is Qdrant's own engine in-process: the same segments, HNSW, sparse vectors with the
IDF modifier and Query API (prefetch + RRF/DBSF + formula) as the server, so `query` translates
the same request that `server_store` sends.

Several processes may use one folder (the bot, `tutorbot search`, `tutorbot index`):
- the shard itself (`shard/`) is opened only to write, under an exclusive lock on `lock`, and
  closed again; each write bumps `generation`;
- a process searches its own copy of the shard (`readers/<pid>-<n>/`), taken under a shared
  lock and taken again when the generation moves on. An opened shard rewrites some of its
  files, so two processes never open the same copy.
Without a folder (tests, benchmarks) the shard lives in a temporary folder and is searched
directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

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
from .store import INDEXED_FIELDS, SCROLL_PAGE, IndexBusyError, Point, Scored

log = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 120.0
_copies = itertools.count()


def _condition(condition: Condition) -> Any:
    if isinstance(condition, Match):
        return qe.FieldCondition(key=condition.key, match=qe.MatchValue(condition.value))
    if isinstance(condition, IsNull):
        return qe.IsNullCondition(key=condition.key)
    if isinstance(condition, Range):
        return qe.FieldCondition(
            key=condition.key, range=qe.RangeFloat(gte=condition.gte, lte=condition.lte)
        )
    return _filter(condition)


def _filter(where: Where | None) -> qe.Filter | None:
    if where is None:
        return None
    return qe.Filter(
        must=[_condition(c) for c in where.must] or None,
        should=[_condition(c) for c in where.should] or None,
        must_not=[_condition(c) for c in where.must_not] or None,
    )


def _prefetch(source: Nearest) -> qe.Prefetch:
    vector = source.vector
    query = qe.Query.Nearest(
        qe.SparseVector(vector.indices, vector.values)
        if isinstance(vector, SparseQuery)
        else vector,
        using=source.using,
    )
    return qe.Prefetch(limit=source.limit, query=query, filter=_filter(source.where))


def _fusion(fusion: str) -> Any:
    from .query import RRF_K

    return qe.Fusion.Rrf(k=RRF_K) if fusion == "rrf" else qe.Fusion.Dbsf()


def edge_request(request: Request) -> qe.QueryRequest:
    """The request as Qdrant Edge's classes."""
    if isinstance(request, Fused):
        return qe.QueryRequest(
            limit=request.limit,
            prefetches=[_prefetch(source) for source in request.sources],
            query=_fusion(request.fusion),
            with_payload=True,
        )
    assert isinstance(request, Boosted)
    inner = request.inner
    fused = qe.Prefetch(
        limit=inner.limit,
        prefetches=[_prefetch(source) for source in inner.sources],
        query=_fusion(inner.fusion),
    )
    E = qe.Expression
    factor = E.Sum(
        [
            E.Constant(1.0),
            *(E.Mult([E.Constant(w), E.Condition(_condition(c))]) for w, c in request.terms),
        ]
    )
    formula = qe.Formula(E.Mult([E.Variable("$score"), factor]))
    return qe.QueryRequest(
        limit=request.limit, prefetches=[fused], query=formula, with_payload=True
    )


def _config(dimension: int) -> qe.EdgeConfig:
    return qe.EdgeConfig(
        # The embedders return unit vectors, so the dot product is the cosine.
        vectors={DENSE: qe.EdgeVectorParams(size=dimension, distance=qe.Distance.Dot)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        # Writes are flushed before the lock is released; copies are taken from flushed files.
        wal_enabled=False,
        # One search thread: a second one only competes with the embedder on a small machine.
        max_search_threads=1,
    )


def _indexed(shard: qe.EdgeShard) -> qe.EdgeShard:
    """Keyword indexes on the fields filters use: without them every filtered search (a scope,
    the question-bank lane) reads the payload of every point."""
    present = set(shard.info().payload_schema)
    for name in INDEXED_FIELDS:
        if field(name) not in present:
            shard.update(
                qe.UpdateOperation.create_field_index(field(name), qe.PayloadSchemaType.Keyword)
            )
    return shard


def is_built(folder: Path) -> bool:
    """Whether an index folder holds a shard (`tutorbot index` has run), without opening it."""
    return (folder / "shard" / "edge_config.json").is_file()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EdgeStore:
    def __init__(self, folder: Path | None, dimension: int) -> None:
        self.private = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="tutorbot-index-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dimension = dimension
        self.live = self.folder / "shard"
        self._generation_file = self.folder / "generation"
        self._lock_file = self.folder / "lock"
        self._readers = self.folder / "readers"
        self._thread_lock = threading.RLock()
        self._reader: qe.EdgeShard | None = None
        self._reader_dir: Path | None = None
        self._reader_generation: str | None = None
        if self.private:
            self._reader = self._open_live()
        elif not self._fits():
            with self._writing():
                pass  # creates the shard, or rebuilds it for these embeddings

    def _fits(self) -> bool:
        """Whether the shard exists and was made for vectors of this dimension."""
        try:
            config = json.loads((self.live / "edge_config.json").read_text())
        except (OSError, ValueError):
            return False
        dense = config.get("vectors", {}).get(DENSE, {})
        sparse = config.get("sparse_vectors", {}).get(SPARSE, {})
        return (
            dense.get("size") == self.dimension
            and str(dense.get("distance")).lower() == "dot"
            and str(sparse.get("modifier")).lower() == "idf"
            and config.get("wal_enabled") is False
        )

    # --- locks and copies -------------------------------------------------------------------

    @contextlib.contextmanager
    def _flock(self, kind: int) -> Iterator[None]:
        with open(self._lock_file, "a+") as handle:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, kind | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusyError(
                            f"the index in {self.folder} has been written by another process for "
                            f"over {LOCK_WAIT_SECONDS:g} s (`tutorbot index`?): wait for it to "
                            "finish, or stop it and run `tutorbot index` again"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _generation(self) -> str:
        try:
            return self._generation_file.read_text()
        except FileNotFoundError:
            return ""

    def _open_live(self) -> qe.EdgeShard:
        config = _config(self.dimension)
        if self.live.exists():
            if self._fits():
                try:
                    return _indexed(qe.EdgeShard.load(str(self.live), config))
                except Exception as error:  # damaged (a write cut short): rebuilt, re-synced
                    log.warning("rebuilding the index in %s: %s", self.live, error)
            else:
                log.warning("rebuilding the index in %s for the configured embeddings", self.live)
            shutil.rmtree(self.live)
        return _indexed(qe.EdgeShard.create(str(self.live), config))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[qe.EdgeShard]:
        with self._thread_lock:
            if self.private:
                assert self._reader is not None
                try:
                    yield self._reader
                finally:
                    self._reader.flush()
                return
            with self._flock(fcntl.LOCK_EX):
                shard = self._open_live()
                try:
                    yield shard
                finally:
                    # What was written before a failure stays written (sync resumes from it).
                    shard.flush()
                    shard.close()
                    # Readers take a new copy, whether this write finished or not.
                    temporary = self._generation_file.with_suffix(".tmp")
                    temporary.write_text(f"{os.getpid()}-{time.time_ns()}")
                    temporary.replace(self._generation_file)

    def _shard(self) -> qe.EdgeShard:
        """The shard to read: this process's copy, renewed when another write happened."""
        with self._thread_lock:
            if self.private:
                assert self._reader is not None
                return self._reader
            if self._reader is not None and self._generation() == self._reader_generation:
                return self._reader
            with self._flock(fcntl.LOCK_SH):
                generation = self._generation()
                target = self._readers / f"{os.getpid()}-{next(_copies)}"
                self._sweep()
                shutil.copytree(self.live, target)
            self._close_reader()
            self._reader = qe.EdgeShard.load(str(target))
            self._reader_dir, self._reader_generation = target, generation
            return self._reader

    def _sweep(self) -> None:
        """Copies left by processes that ended without closing."""
        if not self._readers.is_dir():
            return
        for copy in self._readers.iterdir():
            pid = copy.name.partition("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(copy, ignore_errors=True)

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._reader_dir is not None:
            shutil.rmtree(self._reader_dir, ignore_errors=True)
            self._reader_dir = None

    def close(self) -> None:
        with self._thread_lock:
            self._close_reader()
            if self.private:
                shutil.rmtree(self.folder, ignore_errors=True)

    # --- reading ----------------------------------------------------------------------------

    def _scroll(self, where: Where | None, keys: Sequence[str]) -> Iterator[Any]:
        shard = self._shard()
        offset = None
        while True:
            records, offset = shard.scroll(
                qe.ScrollRequest(
                    offset=offset,
                    limit=SCROLL_PAGE,
                    filter=_filter(where),
                    with_payload=qe.PayloadSelector.Include(list(keys)),
                    with_vector=False,
                )
            )
            yield from records
            if offset is None:
                return

    def payloads(self, where: Where | None, keys: Sequence[str]) -> list[tuple[str, dict]]:
        """(point id, metadata) of the points `where` selects, with only the given fields."""
        with self._thread_lock:
            return [
                (str(record.id), (record.payload or {}).get("metadata") or {})
                for record in self._scroll(where, [field(key) for key in keys])
            ]

    def count(self) -> int:
        with self._thread_lock:
            return self._shard().count(qe.CountRequest(exact=True))

    def query(self, request: Request) -> list[Scored]:
        with self._thread_lock:
            points = self._shard().query(edge_request(request))
        return [Scored(str(point.id), point.score, point.payload or {}) for point in points]

    # --- writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[EdgeWriter]:
        """One write: the shard opened once, flushed and released at the end."""
        with self._writing() as shard:
            yield EdgeWriter(shard)


class EdgeWriter:
    def __init__(self, shard: qe.EdgeShard) -> None:
        self.shard = shard

    def write(self, points: Sequence[Point], stale: Sequence[str]) -> None:
        if points:
            self.shard.update(
                qe.UpdateOperation.upsert_points(
                    [
                        qe.Point(
                            point.id,
                            {
                                DENSE: point.dense,
                                SPARSE: qe.SparseVector(point.indices, point.values),
                            },
                            point.payload,
                        )
                        for point in points
                    ]
                )
            )
        if stale:
            self.shard.update(qe.UpdateOperation.delete_points(list(stale)))

    def optimize(self) -> None:
        """Merge segments and build the HNSW index where it pays (after a large write)."""
        self.shard.optimize()
