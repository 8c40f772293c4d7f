"""Liveness and readiness. Live: the process answers. Ready: the database answers and the search
index has been built (`tutorbot index`), so the bot can do everything it offers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import QdrantSettings

CHECK_TIMEOUT = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


async def database(engine: AsyncEngine) -> Check:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return Check("database", False, f"unreachable: {type(error).__name__}")
    return Check("database", True)


class IndexCheck:
    """Whether the collection exists and holds chunks. A Qdrant server is asked (one client,
    kept); the embedded Qdrant Edge folder is looked at without opening it, and the live count
    is used once /ask has opened it."""

    def __init__(
        self, settings: QdrantSettings, opened_count: Callable[[], int | None] | None = None
    ) -> None:
        self._settings = settings
        self._client: object | None = None
        # The open retriever's chunk count, or None while none is open.
        self._opened_count = opened_count

    def _count_on_server(self) -> int:
        from qdrant_client import QdrantClient

        if self._client is None:
            key = self._settings.api_key
            self._client = QdrantClient(
                url=self._settings.url,
                api_key=key.get_secret_value() if key else None,
                timeout=int(CHECK_TIMEOUT),
            )
        client = self._client
        assert isinstance(client, QdrantClient)
        if not client.collection_exists(self._settings.collection):
            return 0
        return client.count(self._settings.collection, exact=False).count

    def _local_folder_built(self) -> bool:
        from retrieval.edge_store import is_built

        return is_built(self._settings.path / self._settings.collection)

    async def __call__(self) -> Check:
        if self._settings.url:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT + 1):
                    count = await asyncio.to_thread(self._count_on_server)
            except Exception as error:
                return Check("index", False, f"Qdrant unreachable: {type(error).__name__}")
            if count == 0:
                return Check("index", False, "empty: run `tutorbot index`")
            return Check("index", True, f"{count} chunks")
        counted = self._opened_count() if self._opened_count is not None else None
        if counted is not None:
            return Check("index", counted > 0, f"{counted} chunks")
        if not self._local_folder_built():
            return Check("index", False, "not built: run `tutorbot index`")
        return Check("index", True, "local")

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if callable(close):
            close()
