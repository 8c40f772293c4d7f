"""Retrieval over the curriculum and its papers: chunks, dense + sparse vectors in Qdrant,
hybrid search, and answers written by a model or extracted from the passages.

Pure of the bot: it knows the curriculum package and nothing else of the project. The heavy
parts (Qdrant, jieba, the embedding model, the OpenAI client) load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Chunk": "model",
    "Source": "model",
    "Hit": "model",
    "Scope": "model",
    "SyncReport": "model",
    "IndexConfig": "model",
    "EmbeddingConfig": "model",
    "RetrievalConfig": "model",
    "HybridIndex": "index",
    "Retriever": "retriever",
    "AddedPaper": "retriever",
    "PaperError": "papers",
    "CitedPaper": "catalog",
    "paper_catalog": "catalog",
    "AnswerUnavailable": "answer",
    "Draft": "answer",
    "Excerpt": "answer",
    "LLMAnswerer": "answer",
    "LLMConfig": "answer",
    "Passage": "answer",
    "Turn": "answer",
    "answer_drafts": "answer",
    "detect_language": "answer",
    "passages_from": "answer",
    "expand_query": "glossary",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
