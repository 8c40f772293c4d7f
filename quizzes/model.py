"""The question model shared by banks, generators, the validator, grading and storage."""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

ID_LENGTH = 16
# What `content_hash` produces; ids in bank files must keep this shape.
ID_PATTERN = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")


class Kind(enum.StrEnum):
    CHOICE = "choice"  # single best answer among 2-6 options; `answer` is the correct option's text
    TRUE_FALSE = "true_false"  # `answer` is "true" or "false"
    CLOZE = "cloze"  # stem contains "____"; `answer` is the canonical fill, `accepted` lists more
    RECALL = "recall"  # free recall: the learner reveals `answer` and rates themselves


@dataclass(frozen=True, slots=True)
class Source:
    """Where a question's knowledge comes from: always the lesson, a link when there is one."""

    lesson: str  # lesson key, e.g. "ai-fullstack-100/algo/47"
    url: str | None = None
    title: str | None = None
    arxiv_id: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    plan: str
    track: str | None  # None for lessons shared by all tracks, as in curriculum.Lesson
    day: int
    topic: str
    kind: Kind
    stem: str
    answer: str
    explanation: str
    sources: tuple[Source, ...]
    difficulty: int = 3  # 1 (recall a fact) .. 5 (apply and compare)
    options: tuple[str, ...] = ()
    accepted: tuple[str, ...] = ()
    language: str = "zh"
    provenance: str = "curated"  # "curated" | "structural" | "llm:<model>"
    version: int = 1
    tags: tuple[str, ...] = field(default=())

    @property
    def lesson_key(self) -> str:
        return f"{self.plan}/{self.track or 'common'}/{self.day}"

    def content_hash(self) -> str:
        """Hash of what a learner sees and is graded on; changes bump `version`."""
        return content_hash(
            self.plan,
            self.track,
            self.day,
            self.kind,
            self.stem,
            self.options,
            self.answer,
            self.accepted,
        )

    def to_record(self) -> dict[str, Any]:
        """The bank-file record: plain types, empty fields left out for readable diffs."""
        record = asdict(self)
        record["kind"] = str(self.kind)
        record["sources"] = [
            {key: value for key, value in asdict(source).items() if value is not None}
            for source in self.sources
        ]
        for key in ("options", "accepted", "tags"):
            record[key] = list(record[key])
            if not record[key]:
                del record[key]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Question:
        data = dict(record)
        data["kind"] = Kind(data["kind"])
        data["sources"] = tuple(Source(**source) for source in data.get("sources", ()))
        for key in ("options", "accepted", "tags"):
            data[key] = tuple(str(item) for item in data.get(key, ()))
        data["answer"] = _answer_text(data.get("answer"))
        if not data.get("id"):
            data["id"] = content_hash(
                data["plan"],
                data.get("track"),
                data["day"],
                data["kind"],
                data["stem"],
                data["options"],
                data["answer"],
                data["accepted"],
            )
        return cls(**data)

    def with_changes(self, **changes: Any) -> Question:
        return replace(self, **changes)


def _answer_text(value: Any) -> str:
    # YAML reads `answer: true` as a bool; the model keeps answers as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def content_hash(
    plan: str,
    track: str | None,
    day: int,
    kind: Kind | str,
    stem: str,
    options: tuple[str, ...],
    answer: str,
    accepted: tuple[str, ...],
) -> str:
    payload = json.dumps(
        [plan, track, day, str(kind), stem, list(options), answer, list(accepted)],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:ID_LENGTH]
