"""`tutorbot search` and `tutorbot ask` keep the JSON contracts of DESIGN.md; `papers add`
explains a failed download."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from retrieval import IndexConfig, Retriever
from retrieval.index import HybridIndex
from retrieval.model import Chunk
from tests.support.openai_standin import OpenAIStandIn

SEARCH_KEYS = {"text", "score", "source", "plan", "track", "day", "url"}


@pytest.fixture
def shared_index(curriculum_retriever: Retriever, index_dir: Path) -> Path:
    """The session's index folder, held open by this process while the CLI reads it."""
    return index_dir


def environment(index: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_QDRANT__PATH=str(index),
        TUTORBOT_ASK__PAPERS_DIR=str(tmp_path / "papers"),
        TUTORBOT_DATABASE__URL=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        TUTORBOT_EMBEDDINGS__CACHE_PATH=str(tmp_path / "embeddings.sqlite"),
        **extra,
    )
    return env


def cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=180,
        check=False,
    )


def test_search_prints_the_json_contract(shared_index: Path, tmp_path: Path) -> None:
    result = cli(
        "search",
        "混合精度训练 AMP",
        "--k",
        "3",
        "--json",
        env=environment(shared_index, tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and all(set(row) == SEARCH_KEYS for row in rows)
    assert (rows[0]["plan"], rows[0]["track"], rows[0]["day"]) == ("ai-fullstack-100", "algo", 38)
    assert "FP16训练" in rows[0]["text"] and rows[0]["source"] == "curriculum"
    assert rows[0]["url"] == "https://pytorch.org/docs/stable/amp.html"
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"]


def test_ask_prints_an_extractive_answer_without_a_model(
    shared_index: Path, tmp_path: Path
) -> None:
    env = environment(shared_index, tmp_path)
    result = cli(
        "ask", "Which day covers WebSocket real-time chat?", "--json", env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"answer", "mode", "citations"} and answer["mode"] == "extractive"
    assert answer["answer"].startswith("Here is what the study material says:\n[1] ")
    assert "实现实时聊天" in answer["answer"]
    assert {"n", "label", "plan", "track", "day", "url"} <= set(answer["citations"][0])
    empty = cli("ask", "  ", "--json", env=env, cwd=tmp_path)
    assert empty.returncode == 2 and "empty" in empty.stderr


async def test_ask_prints_the_models_answer(shared_index: Path, tmp_path: Path) -> None:
    async with OpenAIStandIn(reply=lambda request: "第47天：实现LoRA [1]。") as server:
        env = environment(
            shared_index,
            tmp_path,
            TUTORBOT_LLM__BASE_URL=server.base_url,
            TUTORBOT_LLM__MODEL="standin-model",
            TUTORBOT_LLM__API_KEY="secret-key",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "ask",
            "LoRA 在第几天实践？",
            "--json",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, stderr.decode()
    answer = json.loads(stdout)
    assert (answer["mode"], answer["answer"]) == ("llm", "第47天：实现LoRA [1]。")
    assert [citation["n"] for citation in answer["citations"]] == [1]
    assert "secret-key" not in stdout.decode() + stderr.decode()


def test_papers_add_explains_a_failed_download(shared_index: Path, tmp_path: Path) -> None:
    result = cli(
        "papers",
        "add",
        "http://127.0.0.1:9/2106.09685.pdf",
        env=environment(shared_index, tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "could not download http://127.0.0.1:9/2106.09685.pdf" in result.stderr
    assert "tutorbot papers add FILE" in result.stderr


def test_a_second_process_reads_the_index_the_first_holds_and_writes(
    embeddings: Embeddings, tmp_path: Path
) -> None:
    folder = tmp_path / "index"
    holder = HybridIndex.open(IndexConfig(path=folder), embeddings)  # as a running bot would
    try:
        holder.sync("paper:a", [_note("paper:a", "0", "蒸馏 distillation 教师模型")])
        env = environment(folder, tmp_path)
        first = cli("search", "蒸馏 教师模型", "--k", "1", "--json", env=env, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)[0]["text"] == "蒸馏 distillation 教师模型"
        # The holder writes while the other process is gone; the next reader sees it.
        holder.sync("paper:b", [_note("paper:b", "0", "量化 GPTQ 权重")])
        assert [hit.chunk.doc for hit in holder.search("GPTQ 量化", k=1)] == ["paper:b"]
        second = cli("search", "GPTQ 量化", "--k", "1", "--json", env=env, cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert json.loads(second.stdout)[0]["text"] == "量化 GPTQ 权重"
        assert "Traceback" not in first.stderr + second.stderr
    finally:
        holder.close()


def _note(doc: str, key: str, text: str) -> Chunk:
    return Chunk(doc=doc, key=key, text=text, source="paper", kind="paper", title="note")
