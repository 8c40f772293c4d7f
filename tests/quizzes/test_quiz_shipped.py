"""The banks shipped with the code validate with zero errors, embeddings on."""

from __future__ import annotations

from quizzes.banks import BANKS_DIR, load_banks
from quizzes.validate import validate_banks


def test_shipped_banks_load_and_validate() -> None:
    entries = load_banks()
    report = validate_banks(BANKS_DIR)
    assert report.errors == (), "\n".join(f"{i.path} {i.code} {i.message}" for i in report.errors)
    assert report.questions == len(entries)
    assert all(entry.stored_id for entry in entries)
