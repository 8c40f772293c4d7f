"""Typed answers to recall and cloze cards, graded by meaning: by the LLM when one is configured
(the server and model /ask uses), otherwise, or when the model fails or stalls, by the bundled
embedding grader. Built once per process by `bot.app.build_app`; nothing loads before the first
typed answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.services.ask_engine import llm_config
from bot.services.llm_client import LLMClient
from bot.settings import Settings
from quizzes.free_text import EmbeddingGrader, FreeTextGrade, Reason
from quizzes.free_text_llm import GradingUnavailable, LLMGrader
from quizzes.model import Question

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

# Settled by the accepted list or normalisation alone: no model would judge these otherwise.
_SETTLED = {str(Reason.ACCEPTED), str(Reason.EMPTY), str(Reason.DONT_KNOW)}


class AnswerGrader:
    def __init__(
        self,
        settings: Settings,
        embedding: EmbeddingGrader | None = None,
        llm_client: LLMClient | None = None,
    ) -> None:
        self._llm_config = llm_config(settings)
        self._timeout = min(settings.llm.timeout_seconds, settings.quiz.grading_timeout_seconds)
        # Shared with /ask and the retrospectives when the app wires it; else its own.
        self._owns_client = llm_client is None
        self._llm_client = llm_client or LLMClient(settings)
        self._llm: LLMGrader | None = None
        self.embedding = embedding or EmbeddingGrader()

    @property
    def llm(self) -> LLMGrader | None:
        client = self._llm_client.client()
        if self._llm is None and self._llm_config is not None and client is not None:
            # Its own deadline on the shared connection pool.
            client = client.with_options(timeout=self._timeout)
            self._llm = LLMGrader(client, self._llm_config.model, self._timeout)
        return self._llm

    async def grade(self, question: Question, answer: str, language: str) -> FreeTextGrade:
        ruled = self.embedding.by_rules(question, answer)
        if ruled is not None and ruled.reason in _SETTLED:
            return ruled
        llm = self.llm
        if llm is not None:
            try:
                return await llm.grade(question, answer, language)
            except GradingUnavailable as error:
                log.warning("grading model unavailable, grading by embeddings: %s", error)
            except Exception:
                # The learner gets a verdict whatever went wrong with the model call.
                log.exception("grading model failed, grading by embeddings")
        # CPU-bound (the model, ~0.1 s a text): off the event loop.
        return await asyncio.to_thread(self.embedding.grade, question, answer)

    async def close(self) -> None:
        self._llm = None
        if self._owns_client:
            await self._llm_client.close()
