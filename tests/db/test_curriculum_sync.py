"""`tutorbot curriculum load` keeps curriculum_lessons in step with the data files, idempotently."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.app import App
from bot.db.models import CurriculumLesson
from bot.services.curriculum_sync import all_lessons, sync_curriculum


async def test_sync_is_idempotent_and_repairs_drift(app: App) -> None:
    expected = len(all_lessons())
    async with app.sessions() as session, session.begin():
        report = await sync_curriculum(session)  # the fixture loaded it once already
    assert (report.added, report.updated, report.retired, report.unchanged) == (0, 0, 0, expected)

    async with app.sessions() as session, session.begin():
        await session.execute(
            update(CurriculumLesson)
            .where(CurriculumLesson.key == "ai-fullstack-100/app/25")
            .values(title="x", content_hash="0")
        )
        session.add(
            CurriculumLesson(
                key="ai-fullstack-100/app/999",
                plan="ai-fullstack-100",
                track="app",
                day=999,
                title="gone",
                content_hash="0",
                retired=False,
            )
        )
    async with app.sessions() as session, session.begin():
        report = await sync_curriculum(session)
    assert (report.added, report.updated, report.retired) == (0, 1, 1)
    async with app.sessions() as session:
        title = await session.scalar(
            select(CurriculumLesson.title).where(CurriculumLesson.key == "ai-fullstack-100/app/25")
        )
        live = await session.scalar(
            select(func.count())
            .select_from(CurriculumLesson)
            .where(CurriculumLesson.retired.is_(False))
        )
    assert title == "向量数据库(上): FAISS"
    assert live == expected
