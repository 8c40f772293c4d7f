"""The process's one client for the OpenAI-compatible answer model (vLLM in production).

Made at first use and shared by /ask, the grading of typed answers and the retrospective
narratives, so they share one connection pool; each use sets its own timeout per request
(`client.with_options(timeout=...)`). `bot.app.build_app` makes it and closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import LLMSettings, Settings

if TYPE_CHECKING:
    import openai


class LLMClient:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: openai.AsyncOpenAI | None = None

    @property
    def settings(self) -> LLMSettings:
        # Read at first use, like every other setting the app was built with.
        return self._settings.llm

    @property
    def configured(self) -> bool:
        return bool(self.settings.base_url and self.settings.model)

    def client(self) -> openai.AsyncOpenAI | None:
        """The client, None without a configured model. No retries behind the learner's back:
        every caller has a fallback (passages, the embedding grader, no narrative)."""
        if self._client is None and self.configured:
            import openai  # only deployments with a model pay for the import

            api_key = self.settings.api_key
            self._client = openai.AsyncOpenAI(
                base_url=self.settings.base_url,
                api_key=api_key.get_secret_value() if api_key else "not-needed",
                timeout=self.settings.timeout_seconds,
                max_retries=0,
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
