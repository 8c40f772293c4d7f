"""A whole conversation through the console adapter: in-process on both databases, and through
the real `tutorbot` command (piped stdin, SQLite file) as a learner would run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.adapters.console import ConsoleChat, parse_now
from bot.app import App

CONVERSATION = [
    "/start",
    "!press 2",  # English
    "!press 1",  # AI Full-Stack Engineer · 100 days
    "!press 1",  # LLM Application Engineer
    "!press 7",  # America/Los_Angeles
    "!press 2",  # 08:00
    "/today",
    "!press 1",  # Done
    "/settings",
    "!press 2",  # Daily lesson time
    "!press 4",  # 19:00
    "/export",
    "/forget",
    "!press 1",  # Yes, delete everything
    "/today",
]


def check_transcript(transcript: str) -> None:
    assert "You're all set!" in transcript
    assert (
        "Today is Day 1. Your lesson arrives every day at 08:00 (America/Los_Angeles)."
        in transcript
    )
    assert "Day 1 · Python类型系统与类型提示" in transcript
    assert "Day 1 done! 1 of 100 lessons completed." in transcript
    assert "Daily lesson time: 19:00" in transcript
    export_start = transcript.index("📎 tutorbot-export-")
    body = transcript[transcript.index("\n", export_start) + 1 :]
    document = json.loads(body[: body.index("\n}\n") + 2])
    assert document["learner"]["push_time"] == "19:00"
    assert document["learner"]["timezone"] == "America/Los_Angeles"
    assert [row["lesson"] for row in document["lesson_completions"]] == [
        "ai-fullstack-100/common/1"
    ]
    assert "All your data has been deleted." in transcript
    assert transcript.rstrip().endswith("你还没有选择学习计划。发送 /start 开始。")


async def test_whole_conversation_in_process(app: App) -> None:
    out = io.StringIO()
    moment = parse_now("2026-03-02T18:00:00+00:00")
    chat = ConsoleChat(app.core, "ada", lambda: moment, out)
    await chat.run(CONVERSATION)
    check_transcript(out.getvalue())


def run_cli(*args: str, stdin: str = "", db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TUTORBOT_RETRO__CHART_DIR": str(db.parent / "charts")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--db", f"sqlite+aiosqlite:///{db}"],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_whole_conversation_through_the_command(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    refused = run_cli("chat", "--user", "ada", stdin="/start\n", db=db)
    assert refused.returncode == 1 and "tutorbot db upgrade" in refused.stderr

    assert run_cli("db", "upgrade", db=db).returncode == 0
    loaded = run_cli("curriculum", "load", db=db)
    assert loaded.returncode == 0, loaded.stderr
    assert "added" in loaded.stdout
    again = run_cli("curriculum", "load", db=db)
    assert "0 added, 0 updated" in again.stdout

    result = run_cli(
        "chat",
        "--user",
        "ada",
        "--now",
        "2026-03-02T18:00:00Z",
        stdin="\n".join(CONVERSATION) + "\n",
        db=db,
    )
    assert result.returncode == 0, result.stderr
    check_transcript(result.stdout)


def test_lesson_command_prints_the_faiss_lesson_as_json() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "lesson",
            "--plan",
            "ai-fullstack-100",
            "--track",
            "app",
            "--day",
            "25",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lesson = json.loads(result.stdout)
    assert lesson["title"] == "向量数据库(上): FAISS"
    assert lesson["key"] == "ai-fullstack-100/app/25"
    assert {
        "title": "FAISS教程",
        "url": "https://github.com/facebookresearch/faiss/wiki",
    }.items() <= lesson["references"][0].items()


def test_lesson_command_explains_a_bad_request() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "lesson", "--plan", "ai-fullstack-100", "--day", "25"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "track" in result.stderr.lower()


def test_sunday_evening_console_session_shows_the_retrospective(tmp_path: Path) -> None:
    db = tmp_path / "week.db"
    assert run_cli("db", "upgrade", db=db).returncode == 0
    assert run_cli("curriculum", "load", db=db).returncode == 0
    monday = run_cli(
        "chat",
        "--user",
        "mei",
        "--now",
        "2026-03-02T01:00:00Z",
        stdin="\n".join([*CONVERSATION[:6], "/today", "!press 1"]) + "\n",
        db=db,
    )
    assert monday.returncode == 0, monday.stderr
    # Sunday 2026-03-08, 20:30 in Los Angeles: the weekly retrospective is due (Sunday 20:00).
    sunday = run_cli(
        "chat", "--user", "mei", "--now", "2026-03-09T03:30:00Z", stdin="/help\n", db=db
    )
    assert sunday.returncode == 0, sunday.stderr
    out = sunday.stdout
    assert "📬" in out
    chart = [line for line in out.splitlines() if line.startswith("🖼 ")]
    assert chart, out
    path = Path(chart[0][2:].strip())
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Day 1" in out  # the retrospective's lessons of the week
