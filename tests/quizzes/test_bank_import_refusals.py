"""`tutorbot bank import` validates the banks first and imports nothing when a question breaks a
rule: a missing answer would be stored as '' and a duplicate id would overwrite a question."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.cli import main
from bot.db.engine import create_engine, session_factory
from bot.db.models import QuestionRow
from bot.settings import Settings
from quizzes import banks
from tests.quizzes.factory import record, with_id, write_records
from tests.support.chat import Chat

SECOND = {
    "stem": "RAG 里把长文档切成小段再做向量化的步骤叫什么？",
    "answer": "Chunking",
    "options": ["Chunking", "Reranker", "Embedder", "Tokenizer"],
}
THIRD = {
    "stem": "哪个组件把文本映射成稠密向量？",
    "answer": "Embedder",
    "options": ["Embedder", "Reranker", "Chunker", "Tokenizer"],
}


def stored(url: str) -> list[tuple[Any, ...]]:
    async def read() -> list[tuple[Any, ...]]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                rows = await session.scalars(select(QuestionRow).order_by(QuestionRow.id))
                return [(row.id, row.stem, row.answer, row.retired) for row in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def import_banks(root: Path, url: str) -> int:
    return main(["bank", "import", "--root", str(root), "--db", url])


@pytest.mark.parametrize("broken", ["missing answer", "duplicate id"])
def test_a_broken_bank_imports_nothing(
    database_url: str, tmp_path: Path, broken: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = with_id(record()), with_id(record(**SECOND))
    write_records(tmp_path, [first, second])
    assert import_banks(tmp_path, database_url) == 0
    before = stored(database_url)
    assert len(before) == 2

    third = with_id(record(**{**THIRD, "answer": None})) if broken == "missing answer" else None
    if third is None:  # the new question reuses the first one's id
        third = {**with_id(record(**THIRD)), "id": first["id"]}
    write_records(tmp_path, [first, second, third])
    capsys.readouterr()
    assert import_banks(tmp_path, database_url) != 0
    err = capsys.readouterr().err
    assert "nothing imported" in err
    assert ("missing field 'answer'" if broken == "missing answer" else "id-duplicate") in err
    assert stored(database_url) == before


def broken_banks(root: Path) -> Path:
    write_records(root, [with_id(record()), with_id(record(**{**SECOND, "answer": None}))])
    return root


def test_the_operators_import_refuses_too(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(banks, "BANKS_DIR", broken_banks(tmp_path))
    assert main(["admin", "bank", "import", "--db", database_url]) == 1
    assert "nothing imported" in capsys.readouterr().err
    assert stored(database_url) == []


async def test_the_operators_chat_import_refuses_too(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(banks, "BANKS_DIR", broken_banks(tmp_path))
    settings = Settings(_env_file=None, admins=frozenset({"console:root"}))  # type: ignore[call-arg]
    app = build_app(settings, database_url)
    try:
        root = Chat(app.core, user="root", locale_hint="en")
        text = await root.say("/admin bank import")
        async with app.sessions() as session:
            assert (await session.scalars(select(QuestionRow))).all() == []
    finally:
        await app.close()
    assert "The question banks have 1 errors: nothing was imported." in text
