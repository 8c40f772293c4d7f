"""Bank files: YAML lists of question records under `banks/<plan>/<track-or-common>.yaml`.

Reading keeps the file and position of every record so reports can point at it; writing is
deterministic (fixed order and layout) so that a rewrite only changes what was edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .model import Question

__all__ = [
    "BANKS_DIR",
    "BankEntry",
    "BankError",
    "BankRecord",
    "bank_files",
    "bank_path",
    "entry_of",
    "load_banks",
    "normalise",
    "parse_records",
    "read_records",
    "render_bank",
    "write_bank",
]

BANKS_DIR = Path(__file__).resolve().parent / "banks"
HEADER = (
    "# tutorbot question bank: one record per question, format in quizzes/banks/README.md.\n"
    "# After editing run `tutorbot bank fmt` (ids, order) and `tutorbot bank validate`.\n"
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BankError(Exception):
    """A bank file that cannot be read, or a record that is not a question."""

    def __init__(self, path: Path, message: str, index: int | None = None) -> None:
        where = f"{path}" if index is None else f"{path} record {index + 1}"
        super().__init__(f"{where}: {message}")
        self.path, self.index = path, index


@dataclass(frozen=True, slots=True)
class BankRecord:
    """A record exactly as the file has it, before it becomes a Question."""

    path: Path
    index: int  # 0-based position in the file's list
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BankEntry:
    question: Question
    path: Path
    index: int  # 0-based position in the file's list
    stored_id: bool = True  # False when the record had no id and the content hash stood in

    @property
    def where(self) -> str:
        return f"{self.path} record {self.index + 1}"


def bank_path(plan: str, track: str | None, root: Path = BANKS_DIR, prefix: str = "") -> Path:
    """`<root>/<plan>/<prefix><track-or-common>.yaml`, e.g. prefix "generated-"."""
    return root / plan / f"{prefix}{track or 'common'}.yaml"


def bank_files(root: Path = BANKS_DIR) -> list[Path]:
    return sorted(path for path in root.glob("*/*.yaml") if path.is_file())


def read_records(path: Path) -> list[BankRecord]:
    return parse_records(path.read_text(encoding="utf-8"), path)


def parse_records(text: str, path: Path) -> list[BankRecord]:
    """Records of a bank file's text; `path` only names them (e.g. a committed copy)."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        raise BankError(path, f"not valid YAML: {error}") from error
    if data is None:
        return []
    if not isinstance(data, list):
        raise BankError(path, "a bank file is a YAML list of question records")
    return [BankRecord(path, index, record) for index, record in enumerate(data)]


def load_banks(root: Path = BANKS_DIR) -> list[BankEntry]:
    """Every question of every bank file under `root`; raises BankError on a broken record.
    (The validator reads records itself so it can report them all instead of the first.)"""
    entries: list[BankEntry] = []
    for path in bank_files(root):
        for record in read_records(path):
            entries.append(entry_of(record))
    return entries


def entry_of(record: BankRecord) -> BankEntry:
    if not isinstance(record.data, Mapping):
        raise BankError(record.path, "a record is a mapping of fields", record.index)
    try:
        question = Question.from_record(dict(record.data))
    except (KeyError, TypeError, ValueError) as error:
        raise BankError(record.path, f"not a question: {error!r}", record.index) from error
    return BankEntry(question, record.path, record.index, stored_id=bool(record.data.get("id")))


def normalise(
    items: Iterable[Question | Mapping[str, Any]],
    previous: Mapping[str, Question] | None = None,
) -> list[Question]:
    """Canonical bank content: every record a Question with an id (the content hash for a new
    one), the version bumped where the content changed since `previous` (same id), sorted."""
    questions = [
        item if isinstance(item, Question) else Question.from_record(dict(item)) for item in items
    ]
    if previous:
        questions = [_bumped(question, previous.get(question.id)) for question in questions]
    return sorted(questions, key=_order)


def _bumped(question: Question, before: Question | None) -> Question:
    if before is None or before.content_hash() == question.content_hash():
        return question
    # Idempotent: formatting twice after one edit bumps once.
    return replace(question, version=max(question.version, before.version + 1))


def _order(question: Question) -> tuple[int, str]:
    return (question.day, question.id)


def render_bank(questions: Iterable[Question]) -> str:
    records = [question.to_record() for question in sorted(questions, key=_order)]
    if not records:
        return HEADER + "[]\n"
    body = yaml.dump(
        records,
        Dumper=_BankDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,  # no folding: one field per line diffs best
    )
    return HEADER + body


def write_bank(path: Path, questions: Iterable[Question]) -> None:
    """Write atomically, so an interrupted run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_bank(questions)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class _BankDumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks; everything else as PyYAML's safe defaults."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BankDumper.add_representer(str, _represent_text)
