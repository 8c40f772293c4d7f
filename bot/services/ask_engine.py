"""The long-lived parts of /ask: the retriever (embedding model, Qdrant) and the answer model.

Built once per process by `bot.app.build_app` and loaded on first use, so a bot that is never
asked anything never loads them. Retrieval is CPU-bound and synchronous; it runs in a worker
thread so that the event loop keeps serving other chats.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ops import metrics
from bot.services.llm_client import LLMClient
from bot.settings import Settings
from retrieval import (
    Draft,
    EmbeddingConfig,
    Hit,
    IndexConfig,
    LLMAnswerer,
    LLMConfig,
    Passage,
    RetrievalConfig,
    Scope,
    Turn,
    answer_drafts,
    passages_from,
)

if TYPE_CHECKING:
    from retrieval import Retriever

log = logging.getLogger(__name__)


class IndexBuilding(Exception):
    """The search index is being built in the background; searches can start when it is done."""


# When the question being answered in this task was asked (set by `search`, which comes first),
# so the answer's latency counts the search too.
_asked_at: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tutorbot_asked_at", default=None
)


async def _observed(
    drafts: AsyncGenerator[Draft, None], asked_at: float | None
) -> AsyncGenerator[Draft, None]:
    """The drafts as they come, measured: time to the model's first text, model failures, and
    the latency of the complete answer by mode."""
    started = time.monotonic()
    first_text = True
    async with aclosing(drafts):
        async for draft in drafts:
            if draft.mode == "llm" and first_text and draft.text:
                first_text = False
                metrics.LLM_FIRST_TOKEN.observe(time.monotonic() - started)
            if draft.final:
                if draft.mode == "extractive" and draft.reason in ("timeout", "error"):
                    metrics.LLM_ERRORS.labels(draft.reason).inc()
                elapsed = time.monotonic() - (asked_at if asked_at is not None else started)
                metrics.ASK_SECONDS.labels(draft.mode).observe(elapsed)
            yield draft


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def retrieval_config(settings: Settings) -> RetrievalConfig:
    qdrant, embeddings, ask = settings.qdrant, settings.embeddings, settings.ask
    return RetrievalConfig(
        index=IndexConfig(
            url=qdrant.url,
            api_key=_secret(qdrant.api_key),
            path=qdrant.path,
            collection=qdrant.collection,
            fusion=ask.fusion,
            prefetch_limit=ask.prefetch_limit,
        ),
        embeddings=EmbeddingConfig(
            base_url=embeddings.base_url,
            model=embeddings.model,
            api_key=_secret(embeddings.api_key),
            cache_path=embeddings.cache_path,
        ),
        papers_dir=ask.papers_dir,
    )


def llm_config(settings: Settings) -> LLMConfig | None:
    llm = settings.llm
    if not llm.base_url or not llm.model:
        return None
    return LLMConfig(
        base_url=llm.base_url,
        model=llm.model,
        api_key=_secret(llm.api_key),
        timeout_seconds=llm.timeout_seconds,
        max_tokens=llm.max_tokens,
    )


class AskEngine:
    def __init__(
        self,
        settings: Settings,
        *,
        retriever: Retriever | None = None,
        llm_client: LLMClient | None = None,
    ) -> None:
        self.settings = settings
        # The answer model's client, shared with the grader and the retrospectives.
        self.llm_client = llm_client or LLMClient(settings)
        # Streamed answers are stored after the message's own transaction has ended, in a
        # session of their own; `build_app` wires the engine to the app's database.
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self._retriever = retriever
        self._owns_retriever = retriever is None
        self._llm: LLMAnswerer | None = None
        self._llm_config = llm_config(settings)
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                from bot.services.ask_sources import shipped_bank_documents
                from retrieval import Retriever  # Qdrant, langchain and the model: on first use

                self._retriever = Retriever.open(
                    retrieval_config(self.settings), documents=shipped_bank_documents
                )
            return self._retriever

    def searchable(self) -> Retriever:
        """The retriever, once its index has chunks; an empty index starts building in the
        background (once) and `IndexBuilding` says so at once, rather than after minutes."""
        retriever = self.retriever
        if retriever.ready:
            return retriever
        with self._lock:
            if self._building is None:
                if retriever.index.count() > 0:
                    retriever.ensure_curriculum()  # built before (`tutorbot index`): ready
                    return retriever
                self._building = threading.Thread(
                    target=self._build, args=(retriever,), name="index-build", daemon=True
                )
                self._building.start()
        raise IndexBuilding

    def _build(self, retriever: Retriever) -> None:
        try:
            retriever.ensure_curriculum()
        except Exception:
            log.exception("building the search index failed")  # the next /ask tries again
        finally:
            with self._lock:
                self._building = None

    def opened_index_count(self) -> int | None:
        """Chunks in the index if the retriever is open (never opens it), else None."""
        retriever = self._retriever
        return retriever.index.count() if retriever is not None else None

    @property
    def llm(self) -> LLMAnswerer | None:
        if self._llm is None and self._llm_config is not None:
            self._llm = LLMAnswerer(self._llm_config, self.llm_client.client())
        return self._llm

    async def search(
        self, question: str, scope: Scope | None = None, context: str | None = None
    ) -> list[Passage]:
        k = self.settings.ask.top_k

        def search() -> list[Hit]:
            # In the worker thread too: the first call loads the model and opens the index.
            return self.searchable().search_for_answer(question, k, scope, context=context)

        _asked_at.set(time.monotonic())
        return passages_from(await asyncio.to_thread(search))

    def drafts(
        self,
        question: str,
        passages: Sequence[Passage],
        language: str,
        history: Sequence[Turn] = (),
        lead: int = 0,
    ) -> AsyncGenerator[Draft, None]:
        return _observed(
            answer_drafts(question, passages, language, self.llm, history, lead), _asked_at.get()
        )

    async def close(self) -> None:
        if self._llm is not None:
            await self._llm.close()
            self._llm = None
        await self.llm_client.close()
        if self._owns_retriever and self._retriever is not None:
            self._retriever.close()
            self._retriever = None
