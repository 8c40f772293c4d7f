"""Import bank questions into the database, idempotently: changed questions update in place,
removed ones are retired, and learners' cards and review history are never touched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CurriculumLesson, Learner, QuestionRow
from quizzes import banks
from quizzes.model import Question
from quizzes.validate import ValidationReport, validate_banks


class BanksRefused(Exception):
    """The banks break a rule: nothing may be imported until they are fixed."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(
            f"{len(report.errors)} error(s) in the question banks: nothing imported "
            "(`tutorbot bank validate` lists them)"
        )


def checked_bank_questions(root: Path | None = None) -> list[Question]:
    """The banks' questions once every rule but the (slow) near-duplicate search holds: a
    question without an answer would be stored as '', one with another's id would overwrite
    that question."""
    root = root or banks.BANKS_DIR
    report = validate_banks(root, embeddings=False)
    if not report.passed():
        raise BanksRefused(report)
    return [entry.question for entry in banks.load_banks(root)]


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    retired: int
    skipped: tuple[str, ...] = field(default=())  # ids whose lesson the database does not know

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _apply(row: QuestionRow, question: Question) -> None:
    row.plan, row.track, row.day = question.plan, question.track, question.day
    row.lesson_key = question.lesson_key
    row.topic, row.kind, row.language = question.topic, str(question.kind), question.language
    row.stem, row.options, row.answer = question.stem, list(question.options), question.answer
    row.accepted, row.explanation = list(question.accepted), question.explanation
    row.sources = [source for source in question.to_record()["sources"]]
    row.difficulty, row.provenance, row.version = (
        question.difficulty,
        question.provenance,
        question.version,
    )
    row.content_hash = question.content_hash()
    row.retired = False


def _fingerprint(row: QuestionRow) -> tuple[object, ...]:
    return (
        row.content_hash,
        row.topic,
        row.explanation,
        row.sources,
        row.difficulty,
        row.provenance,
        row.version,
        row.language,
        row.retired,
    )


async def import_questions(session: AsyncSession, questions: Sequence[Question]) -> ImportReport:
    lessons = set(await session.scalars(select(CurriculumLesson.key)))
    existing = {row.id: row for row in await session.scalars(select(QuestionRow))}
    added = updated = unchanged = 0
    skipped: list[str] = []
    seen: set[str] = set()
    for question in questions:
        if question.lesson_key not in lessons:
            skipped.append(question.id)
            continue
        seen.add(question.id)
        row = existing.get(question.id)
        if row is None:
            row = QuestionRow(id=question.id)
            _apply(row, question)
            session.add(row)
            added += 1
            continue
        before = _fingerprint(row)
        _apply(row, question)
        if _fingerprint(row) == before:
            unchanged += 1
        else:
            updated += 1
    retired = 0
    for question_id, row in existing.items():
        if question_id not in seen and not row.retired:
            row.retired = True
            retired += 1
    if added:
        # New questions may sit in lessons that learners have already exhausted.
        await session.execute(update(Learner).values(new_frontier_day=1))
    await session.flush()
    return ImportReport(added, updated, unchanged, retired, tuple(skipped))
