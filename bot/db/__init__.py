"""Storage: models, engine, migrations runner."""

from bot.db.engine import create_engine, session_factory
from bot.db.models import Base, ButtonMenu, CurriculumLesson, Learner, LessonCompletion

__all__ = [
    "Base",
    "ButtonMenu",
    "CurriculumLesson",
    "Learner",
    "LessonCompletion",
    "create_engine",
    "session_factory",
]
