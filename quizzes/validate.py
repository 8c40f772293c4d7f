"""The bank validator: every record of every file against every rule of `rules.RULES`.

It never stops at the first problem: a record that fails the schema is reported and left out
of the later rules, everything else is checked in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from curriculum import CurriculumError, load_plan

from . import balance, flaws
from .banks import BANKS_DIR, BankEntry, BankError, bank_files, entry_of, read_records
from .checks import check_question
from .grading import match_key
from .model import Kind, Question
from .rules import Finding, Severity, severity_of
from .schema import check_record
from .similarity import (
    CROSS_LESSON_THRESHOLD,
    DEFAULT_THRESHOLD,
    Embedder,
    embed_passages,
    near_duplicate_pairs,
)

__all__ = ["Issue", "ValidationReport", "read_entries", "validate_banks", "validate_entries"]


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    path: Path | None = None
    index: int | None = None  # 0-based record position in the file
    question_id: str | None = None

    @property
    def severity(self) -> Severity:
        return severity_of(self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "path": None if self.path is None else str(self.path),
            "record": None if self.index is None else self.index + 1,
            "id": self.question_id,
        }


@dataclass(frozen=True)
class ValidationReport:
    issues: tuple[Issue, ...]
    files: int
    questions: int

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == Severity.ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == Severity.WARNING)

    def passed(self, strict: bool = False) -> bool:
        return not (self.issues if strict else self.errors)

    def codes(self) -> set[str]:
        return {issue.code for issue in self.issues}


def validate_banks(
    root: Path = BANKS_DIR,
    *,
    embeddings: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    embed: Embedder | None = None,
) -> ValidationReport:
    files = bank_files(root)
    entries, issues = read_entries(files)
    issues += validate_entries(entries, embeddings=embeddings, threshold=threshold, embed=embed)
    return ValidationReport(tuple(_sorted(issues)), len(files), len(entries))


def read_entries(files: Sequence[Path]) -> tuple[list[BankEntry], list[Issue]]:
    """Entries of the records that pass the schema; issues for the ones that do not."""
    entries: list[BankEntry] = []
    issues: list[Issue] = []
    for path in files:
        try:
            records = read_records(path)
        except BankError as error:
            issues.append(Issue("yaml", str(error), path))
            continue
        for record in records:
            problems = check_record(record.data)
            if problems:
                record_id = record.data.get("id") if isinstance(record.data, Mapping) else None
                issues += [
                    Issue(p.code, p.message, path, record.index, record_id) for p in problems
                ]
                continue
            try:
                entries.append(entry_of(record))
            except BankError as error:
                issues.append(Issue("schema", str(error), path, record.index))
    return entries, issues


def validate_entries(
    entries: Sequence[BankEntry],
    *,
    embeddings: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    embed: Embedder | None = None,
) -> list[Issue]:
    issues: list[Issue] = []
    for entry in entries:
        found = check_question(entry.question) + _identity_findings(entry)
        issues += [_issue(finding, entry) for finding in found]
    issues += _duplicate_ids(entries)
    issues += _duplicate_stems(entries, embeddings, threshold, embed)
    issues += _longest_keys(entries)
    issues += _file_balance(entries)
    return issues


def _issue(finding: Finding, entry: BankEntry) -> Issue:
    return Issue(finding.code, finding.message, entry.path, entry.index, entry.question.id)


def _identity_findings(entry: BankEntry) -> list[Finding]:
    found = []
    if not entry.stored_id:
        found.append(Finding("id-missing", "no id: run `tutorbot bank fmt` to assign one"))
    misplaced = _location_problem(entry)
    if misplaced:
        found.append(Finding("bank-location", misplaced))
    return found


def _location_problem(entry: BankEntry) -> str | None:
    """`<plan>/<track>.yaml` and `<plan>/common.yaml` hold only their own lessons; other file
    names in a plan's folder (structural.yaml, generated-*.yaml) may hold any of the plan's."""
    question, path = entry.question, entry.path
    if path.parent.name != question.plan:
        return f"a {question.plan} question in the folder {path.parent.name}/"
    try:
        tracks = set(load_plan(question.plan).tracks)
    except CurriculumError:  # an unknown plan is lesson-unknown's to report
        return None
    if path.stem == "common" and question.track is not None:
        return f"a {question.track} question in common.yaml (shared lessons only)"
    if path.stem in tracks and question.track != path.stem:
        return f"a {question.track or 'common'} question in {path.name}"
    return None


def _duplicate_ids(entries: Sequence[BankEntry]) -> list[Issue]:
    first: dict[str, BankEntry] = {}
    issues = []
    for entry in entries:
        seen = first.setdefault(entry.question.id, entry)
        if seen is not entry:
            issues.append(
                _issue(Finding("id-duplicate", f"id already used by {seen.where}"), entry)
            )
    return issues


def _duplicate_stems(
    entries: Sequence[BankEntry], embeddings: bool, threshold: float, embed: Embedder | None
) -> list[Issue]:
    issues = []
    by_lesson: dict[str, list[int]] = defaultdict(list)
    by_stem: dict[tuple[str, str], int] = {}
    for position, entry in enumerate(entries):
        key = (entry.question.lesson_key, match_key(entry.question.stem))
        if key in by_stem:
            earlier = entries[by_stem[key]]
            message = f"same stem as {earlier.question.id} ({earlier.where})"
            issues.append(_issue(Finding("duplicate-stem", message), entry))
            continue
        by_stem[key] = position
        by_lesson[entry.question.lesson_key].append(position)
    if not embeddings:
        return issues
    # One batch for both rules: every stem once, through the cache.
    stems = [entry.question.stem for entry in entries]
    embed = embed or embed_passages
    for before, after, cosine in near_duplicate_pairs(by_lesson, stems, threshold, embed):
        twin = entries[before]
        message = (
            f"stem is {cosine:.3f} similar to {twin.question.id} ({twin.where}); "
            f"threshold {threshold}"
        )
        issues.append(_issue(Finding("near-duplicate", message), entries[after]))
    return issues + _cross_lesson_repeats(entries, embed)


def _cross_lesson_repeats(entries: Sequence[BankEntry], embed: Embedder) -> list[Issue]:
    """The same question asked in two lessons that one learner meets (one plan, shared
    lessons plus one track): the learner reviews it twice under two names."""
    texts = [_question_text(entry.question) for entry in entries]
    paths = _learner_paths(entries)
    issues = []
    for before, after, cosine in near_duplicate_pairs(paths, texts, CROSS_LESSON_THRESHOLD, embed):
        first, second = entries[before], entries[after]
        if first.question.lesson_key == second.question.lesson_key:
            continue  # near-duplicate's to report
        message = (
            f"asks what {first.question.id} ({first.question.lesson_key}, {first.where}) asks "
            f"(similarity {cosine:.3f}): one learner meets both lessons"
        )
        issues.append(_issue(Finding("cross-lesson-repeat", message), second))
    return issues


def _question_text(question: Question) -> str:
    """Stem and key together: two lessons may ask one thing in other words, or share a
    template (「X」的核心是什么？) for different things; the key tells them apart."""
    return f"{question.stem} {question.answer}"


def _learner_paths(entries: Sequence[BankEntry]) -> dict[tuple[str, str | None], list[int]]:
    """Positions of the questions each learner sequence (plan, track) reaches."""
    paths: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        question = entry.question
        if question.provenance == "structural":
            # One template per curriculum column by design, each about its own row: e5 puts
            # the rows' stems together, yet no two ask the same thing.
            continue
        for sequence in _sequences_with(question.plan, question.lesson_key):
            paths[(question.plan, sequence)].append(position)
    return paths


@cache
def _sequences_with(plan_id: str, lesson_key: str) -> tuple[str | None, ...]:
    """The plan's learner sequences (tracks; None for a plan without tracks) that include the
    lesson: a shared day may be replaced by a track's own lesson (fde's Days 76-90)."""
    try:
        plan = load_plan(plan_id)
    except CurriculumError:
        return ()
    return tuple(
        track
        for track in plan.track_ids() or (None,)
        if any(lesson.key == lesson_key for lesson in plan.lessons_for(track))
    )


def _file_balance(entries: Sequence[BankEntry]) -> list[Issue]:
    """Per bank file: key length and position against chance, cue words in true/false."""
    by_file: dict[Path, list[Question]] = defaultdict(list)
    for entry in entries:
        by_file[entry.path].append(entry.question)
    issues = []
    for path, questions in by_file.items():
        for found in (
            *balance.key_length_imbalances(questions),
            *balance.key_position_imbalances(questions),
            *balance.cue_imbalances(questions),
        ):
            issues.append(Issue(found.code, found.message, path))
    return issues


def _longest_keys(entries: Sequence[BankEntry]) -> list[Issue]:
    by_lesson: dict[str, list[BankEntry]] = defaultdict(list)
    for entry in entries:
        if entry.question.kind == Kind.CHOICE:
            by_lesson[entry.question.lesson_key].append(entry)
    issues = []
    for lesson, members in by_lesson.items():
        if flaws.all_keys_longest([entry.question for entry in members]):
            message = (
                f"in all {len(members)} choice questions of {lesson} the key is the longest "
                "option: learners pick the longest"
            )
            issues.append(_issue(Finding("key-longest", message), members[0]))
    return issues


def _sorted(issues: Sequence[Issue]) -> list[Issue]:
    return sorted(
        issues,
        key=lambda issue: (
            str(issue.path or ""),
            -1 if issue.index is None else issue.index,
            issue.code,
        ),
    )
