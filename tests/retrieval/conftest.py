"""Fixtures for retrieval and /ask: one curriculum index per test session, apps around it.

Embedding the curriculum with e5 on the CPU is the slow part of building the index, so the
session's embedder keeps the vectors it computed in pytest's cache directory; a later session
re-embeds only texts it has not seen. The vectors are the model's own, so the index is the real
one either way.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from bot.app import App, build_app
from bot.services.ask_engine import AskEngine
from bot.settings import Settings
from retrieval import IndexConfig, Retriever
from retrieval.embeddings import E5Embeddings
from retrieval.index import HybridIndex

# A cold cache embeds the whole curriculum on the CPU inside the first test that needs the index:
# minutes on a busy two-core machine, beyond the suite's per-test timeout.
INDEX_BUILD_TIMEOUT = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "curriculum_retriever" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(INDEX_BUILD_TIMEOUT))


class CachedEmbeddings(Embeddings):
    """e5 with its passage vectors remembered in SQLite across test sessions."""

    def __init__(self, inner: E5Embeddings, path: Path) -> None:
        self.inner = inner
        self.fingerprint = inner.fingerprint
        self.dimension = inner.dimension
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(f"passage\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(text) for text in texts]
        with self._lock:
            found = {
                key: np.frombuffer(blob, dtype=np.float32).tolist()
                for key, blob in self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(keys))})",
                    keys,
                )
            }
        missing = [index for index, key in enumerate(keys) if key not in found]
        if missing:
            vectors = self.inner.embed_documents([texts[index] for index in missing])
            with self._lock, self._db:
                for index, vector in zip(missing, vectors, strict=True):
                    found[keys[index]] = vector
                    self._db.execute(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                        (keys[index], np.asarray(vector, dtype=np.float32).tobytes()),
                    )
        return [found[key] for key in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture(scope="session")
def embeddings(request: pytest.FixtureRequest) -> CachedEmbeddings:
    folder = Path(request.config.cache.mkdir("tutorbot-embeddings"))
    return CachedEmbeddings(E5Embeddings(), folder / "e5-passages.sqlite")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qdrant") / "index"


@pytest.fixture(scope="session")
def curriculum_retriever(embeddings: CachedEmbeddings, index_dir: Path) -> Iterator[Retriever]:
    """The curriculum in a local-mode Qdrant folder, shared by the whole session (read-only)."""
    index = HybridIndex.open(IndexConfig(path=index_dir), embeddings)
    retriever = Retriever(index)
    retriever.ensure_curriculum()
    yield retriever
    retriever.close()


@pytest.fixture
def index_copy(curriculum_retriever: Retriever, index_dir: Path, tmp_path: Path) -> Path:
    """A copy of the session's index folder for another process (local mode locks its folder)."""
    target = tmp_path / "index-copy"
    shutil.copytree(index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture
def paper_retriever(embeddings: CachedEmbeddings, tmp_path: Path) -> Iterator[Retriever]:
    """An empty in-memory index with a papers folder, for ingestion tests."""
    retriever = Retriever(HybridIndex.open(IndexConfig(), embeddings), tmp_path / "papers")
    yield retriever
    retriever.close()


def ask_engine(settings: Settings, retriever: Retriever) -> AskEngine:
    return AskEngine(settings, retriever=retriever)


@pytest.fixture
async def ask_app(
    database_url: str, settings: Settings, curriculum_retriever: Retriever
) -> AsyncIterator[App]:
    """The app on a test database, answering from the session's index, without a model."""
    built = build_app(settings, database_url, ask_engine=ask_engine(settings, curriculum_retriever))
    yield built
    await built.close()
