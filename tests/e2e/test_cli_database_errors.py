"""Every command that opens the database says in one line why it cannot (a broken URL, a file
that is not a database, a server that is down, a database that does not exist) and exits 1,
without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from tests.conftest import postgres_url

COMMANDS = [
    ["chat", "--user", "ada"],
    ["db", "upgrade"],
    ["db", "downgrade", "base"],
    ["db", "current"],
    ["db", "check"],
    ["curriculum", "load"],
    ["bank", "import"],
]


def broken_urls(tmp_path: Path) -> dict[str, str]:
    garbage = tmp_path / "notes.db"
    garbage.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    urls = {
        "not a URL": "tutorbot.db",
        "no async driver": f"sqlite:///{tmp_path / 'sync.db'}",
        "not a database": f"sqlite+aiosqlite:///{garbage}",
        "server down": "postgresql+asyncpg://postgres:secret@127.0.0.1:1/tutorbot",
    }
    if base := postgres_url():
        urls["missing database"] = str(make_url(base).set(database="tutorbot_no_such_database"))
    return urls


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_that_cannot_be_opened_is_one_clear_line(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for problem, url in broken_urls(tmp_path).items():
        capsys.readouterr()
        assert main([*command, "--db", url]) == 1, problem
        out, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tutorbot: "), (problem, err)
        assert "Traceback" not in out + err
        assert "secret" not in err  # the password is never printed


def test_run_says_so_too(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUTORBOT_")}
    env["TUTORBOT_TELEGRAM__TOKEN"] = "123456789:AAbbccddeeffgghhiijjkkllmmnnoopp"
    for problem, url in broken_urls(tmp_path).items():
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--db", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, (problem, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (problem, result.stderr)
