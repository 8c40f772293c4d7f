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
from bot.settings import Settings
from quizzes.free_text import EmbeddingGrader, FreeTextGrade, Reason
from quizzes.free_text_llm import GradingUnavailable, LLMGrader
from quizzes.model import Question

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

# Settled by the accepted list or normalisation alone: no model would judge these otherwise.
_SETTLED = {str(Reason.ACCEPTED), str(Reason.EMPTY), str(Reason.DONT_KNOW)}


class AnswerGrader:
    def __init__(self, settings: Settings, embedding: EmbeddingGrader | None = None) -> None:
        self._llm_config = llm_config(settings)
        self._timeout = min(settings.llm.timeout_seconds, settings.quiz.grading_timeout_seconds)
        self._client: openai.AsyncOpenAI | None = None
        self._llm: LLMGrader | None = None
        self.embedding = embedding or EmbeddingGrader()

    @property
    def llm(self) -> LLMGrader | None:
        if self._llm is None and self._llm_config is not None:
            import openai

            config = self._llm_config
            self._client = openai.AsyncOpenAI(
                base_url=config.base_url,
                api_key=config.api_key or "not-needed",
                max_retries=0,
                timeout=self._timeout,
            )
            self._llm = LLMGrader(self._client, config.model, self._timeout)
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
        if self._client is not None:
            await self._client.close()
            self._client, self._llm = None, None
