"""`tutorbot papers add` keeps no copy of a file it rejects."""

from __future__ import annotations

from pathlib import Path

from tests.retrieval.test_cli_search import cli, environment


def test_papers_add_keeps_no_copy_of_a_rejected_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a PDF")
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    result = cli(
        "papers", "add", str(broken), env=environment(tmp_path / "index", tmp_path), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "broken.pdf: not a readable PDF" in result.stderr
    assert "Traceback" not in result.stderr
    papers = tmp_path / "papers"
    assert not papers.exists() or list(papers.iterdir()) == []
