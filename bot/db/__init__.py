"""Storage: models, engine, migrations runner."""

from bot.db.engine import create_engine, session_factory
from bot.db.models import Base, ButtonMenu, CurriculumLesson, Learner, LessonCompletion
from bot.db.schedule_models import Delivery, Group, GroupMember, GroupQuizAnswer

__all__ = [
    "Base",
    "ButtonMenu",
    "CurriculumLesson",
    "Delivery",
    "Group",
    "GroupMember",
    "GroupQuizAnswer",
    "Learner",
    "LessonCompletion",
    "create_engine",
    "session_factory",
]
