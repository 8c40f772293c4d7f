"""Keep the `curriculum_lessons` table in step with the curriculum data files."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CurriculumLesson
from curriculum import PLAN_IDS, Lesson, load_plan


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int
    updated: int
    unchanged: int
    retired: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _content_hash(lesson: Lesson) -> str:
    payload = json.dumps(lesson.to_dict(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def all_lessons() -> list[Lesson]:
    return [lesson for plan_id in PLAN_IDS for lesson in load_plan(plan_id).lessons]


async def sync_curriculum(session: AsyncSession) -> SyncReport:
    """Idempotent: a second run reports everything unchanged."""
    existing = {row.key: row for row in await session.scalars(select(CurriculumLesson))}
    added = updated = unchanged = 0
    seen: set[str] = set()
    for lesson in all_lessons():
        seen.add(lesson.key)
        digest = _content_hash(lesson)
        row = existing.get(lesson.key)
        if row is None:
            session.add(
                CurriculumLesson(
                    key=lesson.key,
                    plan=lesson.plan,
                    track=lesson.track,
                    day=lesson.day,
                    title=lesson.title,
                    content_hash=digest,
                    retired=False,
                )
            )
            added += 1
        elif row.content_hash != digest or row.retired:
            row.title, row.content_hash, row.retired = lesson.title, digest, False
            updated += 1
        else:
            unchanged += 1
    retired = 0
    for key, row in existing.items():
        if key not in seen and not row.retired:
            row.retired = True
            retired += 1
    await session.flush()
    return SyncReport(added=added, updated=updated, unchanged=unchanged, retired=retired)
