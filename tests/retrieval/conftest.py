"""Fixtures for retrieval and /ask: one curriculum index per test session, apps around it.

Embedding the curriculum with e5 on the CPU is the slow part of building the index, so the
session's embedder keeps the vectors it computed in pytest's cache directory (the bot's own
content-hash cache, `CachedEmbeddings`); a later session re-embeds only texts it has not seen.
The vectors are the model's own, so the index is the real one either way. Of the question
banks, the index holds the lessons the tests ask about (`BANK_LESSONS`), not all of them: a cold
cache would otherwise embed every question of every bank.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.services.ask_engine import AskEngine
from bot.services.ask_sources import shipped_bank_documents
from bot.settings import Settings
from retrieval import IndexConfig, Retriever
from retrieval.embeddings import CachedEmbeddings, E5Embeddings
from retrieval.index import HybridIndex
from retrieval.model import Chunk

# A cold cache embeds the whole curriculum on the CPU inside the first test that needs the index:
# minutes on a busy two-core machine, beyond the suite's per-test timeout.
INDEX_BUILD_TIMEOUT = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "curriculum_retriever" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(INDEX_BUILD_TIMEOUT))


# Lessons whose bank questions are indexed: Docker Compose, hybrid search (RRF), Python types.
BANK_LESSONS = frozenset(
    {"ai-fullstack-100/common/1", "ai-fullstack-100/common/13", "ai-fullstack-100/app/27"}
)


def bank_sample() -> dict[str, list[Chunk]]:
    documents: dict[str, list[Chunk]] = {}
    for doc, chunks in shipped_bank_documents().items():
        documents[doc] = [chunk for chunk in chunks if chunk.lesson_key in BANK_LESSONS]
    return documents


@pytest.fixture(scope="session")
def embeddings(request: pytest.FixtureRequest) -> CachedEmbeddings:
    folder = Path(request.config.cache.mkdir("tutorbot-embeddings"))
    return CachedEmbeddings(E5Embeddings(), folder / "e5-passages.sqlite")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qdrant") / "index"


@pytest.fixture(scope="session")
def curriculum_retriever(embeddings: CachedEmbeddings, index_dir: Path) -> Iterator[Retriever]:
    """The curriculum and a sample of the banks in a Qdrant Edge folder, shared by the whole
    session (read-only) and by the processes the CLI tests start."""
    index = HybridIndex.open(IndexConfig(path=index_dir), embeddings)
    retriever = Retriever(index, documents=bank_sample)
    retriever.ensure_curriculum()
    yield retriever
    retriever.close()


@pytest.fixture
def paper_retriever(embeddings: CachedEmbeddings, tmp_path: Path) -> Iterator[Retriever]:
    """An empty temporary index with a papers folder, for ingestion tests."""
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
