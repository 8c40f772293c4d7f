"""`tutorbot bank ...`: exit codes and readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.settings import get_settings
from quizzes.banks import load_banks, read_records
from tests.quizzes.factory import bank, record, with_id, write_records
from tests.quizzes.test_quiz_llm import ScriptedLLM
from tests.support.openai_standin import OpenAIStandIn

REPO = Path(__file__).resolve().parents[2]


def _bad_bank(root: Path) -> Path:
    write_records(
        root,
        [
            with_id(record(answer="BM25")),
            with_id(record(stem="以下哪个不属于 RAG 的组件？", answer="Tokenizer", day=29, topic="t", sources=[{"lesson": "ai-fullstack-100/app/29"}])),
        ],
    )  # fmt: skip
    return root


def test_validate_a_bad_bank_as_a_program_would(tmp_path: Path) -> None:
    root = _bad_bank(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "bank",
            "validate",
            "--root",
            str(root),
            "--no-embeddings",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("ai-fullstack-100/app.yaml")  # grouped under the file
    assert "record 1" in lines[1] and "error" in lines[1] and "answer-not-option" in lines[1]
    assert "negative-stem" in done.stdout and "warning" in done.stdout
    assert lines[-1].startswith("FAILED: 1 files, 2 questions, 1 error, 1 warning")


def test_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = bank(tmp_path / "good", record())
    assert main(["bank", "validate", "--root", str(good), "--no-embeddings"]) == 0
    warned = bank(tmp_path / "warned", record(stem="以下哪个不属于重排序阶段？"))
    assert main(["bank", "validate", "--root", str(warned), "--no-embeddings"]) == 0
    assert main(["bank", "validate", "--root", str(warned), "--no-embeddings", "--strict"]) == 1
    assert main(["bank", "validate", "--root", str(tmp_path / "missing")]) == 2
    capsys.readouterr()
    assert main(["bank", "validate", "--root", str(_bad_bank(tmp_path / "bad")), "--no-embeddings", "--json"]) == 1  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 1)
    assert report["issues"][0]["code"] == "answer-not-option" and report["issues"][0]["record"] == 1


def test_fmt_assigns_ids_then_is_stable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_records(tmp_path, [record(day=29, topic="t", sources=[{"lesson": "ai-fullstack-100/app/29"}]), record()])  # fmt: skip
    assert main(["bank", "fmt", "--root", str(tmp_path), "--check"]) == 1
    assert "would rewrite" in capsys.readouterr().out
    assert main(["bank", "fmt", "--root", str(tmp_path)]) == 0
    records = read_records(path)
    assert [r.data["day"] for r in records] == [28, 29] and all(r.data["id"] for r in records)
    assert main(["bank", "fmt", "--root", str(tmp_path), "--check"]) == 0
    assert main(["bank", "validate", "--root", str(tmp_path), "--no-embeddings"]) == 0


def test_fmt_leaves_broken_files_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_records(tmp_path, [{"plan": "ai-fullstack-100", "stem": "?"}])
    before = path.read_text(encoding="utf-8")
    assert main(["bank", "fmt", "--root", str(tmp_path)]) == 2
    assert "missing field 'day'" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == before


def test_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bank(tmp_path, record())
    assert main(["bank", "stats", "--root", str(root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["total"] == 1 and data["by_kind"] == {"choice": 1} and len(data["thin_lessons"]) == 415
    )
    assert main(["bank", "stats", "--root", str(root)]) == 0
    assert "lessons with fewer than 3 questions: 415" in capsys.readouterr().out
    write_records(tmp_path, [{"plan": "x"}], name="broken")
    assert main(["bank", "stats", "--root", str(root)]) == 2


def test_structural_dry_run_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "structural", "--plan", "llm-app-180", "--root", str(tmp_path)]) == 0
    assert "dry run" in capsys.readouterr().out and not list(tmp_path.iterdir())
    assert main(["bank", "structural", "--plan", "llm-app-180", "--root", str(tmp_path), "--write"]) == 0  # fmt: skip
    written = load_banks(tmp_path)
    assert written and {e.question.provenance for e in written} == {"structural"}
    assert main(["bank", "validate", "--root", str(tmp_path)]) == 0


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("BASE_URL", "MODEL", "API_KEY"):
        monkeypatch.delenv(f"TUTORBOT_LLM__{name}", raising=False)
    monkeypatch.chdir(REPO)  # no stray .env decides for the test
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_generate_without_an_llm_exits_2(
    llm_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bank", "generate", "--plan", "llm-app-180", "--root", str(tmp_path)]) == 2
    assert "no LLM configured" in capsys.readouterr().err


async def _run(argv: list[str]) -> int:
    # The stand-in lives on this test's event loop, so the handler is awaited here rather
    # than through main()'s asyncio.run.
    args = build_parser().parse_args(argv)
    return await args.handler(args)


async def test_generate_against_the_standin(
    llm_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bank", "generate", "--plan", "ai-fullstack-100", "--track", "app", "--days", "28-29"]
    argv += [
        "--root",
        str(tmp_path),
        "--json",
        "--no-progress",
        "--no-embeddings",
        "--retries",
        "0",
    ]
    async with OpenAIStandIn(reply=ScriptedLLM(), model="standin-model") as server:
        llm_env.setenv("TUTORBOT_LLM__BASE_URL", server.base_url)
        llm_env.setenv("TUTORBOT_LLM__MODEL", "standin-model")
        get_settings.cache_clear()
        assert await _run(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["accepted"], summary["lessons"]) == (6, 2)
    assert summary["out"].endswith("ai-fullstack-100/generated-app.yaml")
    assert len(load_banks(tmp_path)) == 6

    async with OpenAIStandIn(mode="error") as server:
        llm_env.setenv("TUTORBOT_LLM__BASE_URL", server.base_url)
        get_settings.cache_clear()
        assert await _run([*argv, "--fresh"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["failed"] == 2 and "run again" in captured.err


async def test_generate_argument_errors(llm_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    llm_env.setenv("TUTORBOT_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    llm_env.setenv("TUTORBOT_LLM__MODEL", "m")
    get_settings.cache_clear()
    root = ["--root", str(tmp_path)]
    assert await _run(["bank", "generate", "--plan", "llm-app-180", "--track", "app", *root]) == 2
    assert await _run(["bank", "generate", "--plan", "ai-fullstack-100", "--track", "app", "--days", "1-20", *root]) == 2  # fmt: skip
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bank", "generate", "--plan", "llm-app-180", "--days", "9-3"])
