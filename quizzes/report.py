"""Validation reports for people (grouped by file) and for programs (JSON)."""

from __future__ import annotations

import os
from itertools import groupby
from pathlib import Path
from typing import Any

from .validate import Issue, ValidationReport

__all__ = ["format_report", "report_dict"]


def report_dict(report: ValidationReport, strict: bool = False) -> dict[str, Any]:
    return {
        "ok": report.passed(strict),
        "files": report.files,
        "questions": report.questions,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "issues": [issue.to_dict() for issue in report.issues],
    }


def format_report(report: ValidationReport, strict: bool = False) -> str:
    lines: list[str] = []
    for path, issues in groupby(report.issues, key=lambda issue: issue.path):
        lines.append(_display(path))
        lines += [_line(issue) for issue in issues]
        lines.append("")
    verdict = "ok" if report.passed(strict) else "FAILED"
    lines.append(
        f"{verdict}: {report.files} files, {report.questions} questions, "
        f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
        + (" (--strict: warnings fail)" if strict and report.warnings else "")
    )
    return "\n".join(lines)


def _line(issue: Issue) -> str:
    where = "" if issue.index is None else f"record {issue.index + 1}"
    if issue.question_id:
        where = f"{where} [{issue.question_id}]".strip()
    return f"  {where:<28} {issue.severity:<7} {issue.code:<21} {issue.message}"


def _display(path: Path | None) -> str:
    if path is None:
        return "(banks)"
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
