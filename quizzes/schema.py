"""Shape checks on a raw bank record, before it becomes a Question: YAML lets a curator write
anything, and the rest of the validator needs the types right."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from .model import Kind, Question, Source
from .rules import Finding

__all__ = ["check_record"]

QUESTION_FIELDS = frozenset(field.name for field in fields(Question))
SOURCE_FIELDS = frozenset(field.name for field in fields(Source))
REQUIRED = ("plan", "day", "topic", "kind", "stem", "answer", "explanation", "sources")
_TEXT_FIELDS = ("id", "plan", "topic", "stem", "explanation", "language", "provenance")
_LIST_FIELDS = ("options", "accepted", "tags")
_SCALARS = (str, int, float)
_KINDS = frozenset(kind.value for kind in Kind)


def check_record(data: Any) -> list[Finding]:
    if not isinstance(data, Mapping):
        return [_schema(f"a record is a mapping of fields, not {type(data).__name__}")]
    problems = [f"unknown field {key!r}" for key in data if key not in QUESTION_FIELDS]
    problems += [f"missing field {key!r}" for key in REQUIRED if data.get(key) is None]
    problems += _text_problems(data)
    problems += _number_problems(data)
    problems += _list_problems(data)
    problems += _source_problems(data.get("sources"))
    kind = data.get("kind")
    if kind is not None and (not isinstance(kind, str) or kind not in _KINDS):
        problems.append(f"kind {kind!r} is not one of {', '.join(sorted(_KINDS))}")
    answer = data.get("answer")
    if answer is not None and not isinstance(answer, (*_SCALARS, bool)):
        problems.append("answer is a single value")
    return [_schema(problem) for problem in problems]


def _schema(message: str) -> Finding:
    return Finding("schema", message)


def _text_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{key} is text, not {type(value).__name__}")
    for key in ("topic", "stem"):
        value = data.get(key)
        if isinstance(value, str) and not value.strip():
            problems.append(f"{key} is empty")
    track = data.get("track")
    if track is not None and not isinstance(track, str):
        problems.append("track is text or null")
    return problems


def _number_problems(data: Mapping[str, Any]) -> list[str]:
    # bool is an int to Python but never a day or a version to a curator.
    return [
        f"{key} is a whole number"
        for key in ("day", "difficulty", "version")
        if data.get(key) is not None
        and (isinstance(data[key], bool) or not isinstance(data[key], int))
    ]


def _list_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for key in _LIST_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(
            isinstance(item, _SCALARS) and not isinstance(item, bool) for item in value
        ):
            problems.append(f"{key} is a list of texts")
    return problems


def _source_problems(sources: Any) -> list[str]:
    if sources is None:
        return []
    if not isinstance(sources, list):
        return ["sources is a list of {lesson, url, title, arxiv_id} mappings"]
    problems = []
    for number, source in enumerate(sources, start=1):
        if not isinstance(source, Mapping):
            problems.append(f"source {number} is a mapping")
            continue
        problems += [
            f"source {number} has unknown field {key!r}"
            for key in source
            if key not in SOURCE_FIELDS
        ]
        if not isinstance(source.get("lesson"), str):
            problems.append(f"source {number} needs a lesson key")
        problems += [
            f"source {number}: {key} is text"
            for key in ("url", "title", "arxiv_id")
            if source.get(key) is not None and not isinstance(source[key], str)
        ]
    return problems
