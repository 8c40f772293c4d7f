"""SQLAlchemy 2.0 models. Every schema change comes with an Alembic revision in migrations/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Named constraints so Alembic migrations stay portable across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out; SQLite hands back naive values otherwise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Enrolment:
    """What a learner and a study group share: their language, the plan they follow and where
    they are in it by their own calendar, and when their pushes come."""

    language: Mapped[str] = mapped_column(String(8), nullable=False, default="zh")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Shanghai")
    push_time: Mapped[dt.time] = mapped_column(Time, nullable=False, default=dt.time(8, 0))
    plan: Mapped[str | None] = mapped_column(String(32))
    track: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    # The day advances with the local calendar; these two pin it so that a pause freezes
    # progress: on `anchor_date` the learner (or group) was on `next_lesson_day`.
    next_lesson_day: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    anchor_date: Mapped[dt.date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # False once the platform said the bot was blocked or removed: nothing is pushed.
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Weekly retrospective: weekday (Monday = 0) and local time; the periods last enqueued.
    retro_weekday: Mapped[int] = mapped_column(
        Integer, nullable=False, default=6, server_default="6"
    )
    retro_time: Mapped[dt.time] = mapped_column(
        Time, nullable=False, default=dt.time(20, 0), server_default="20:00:00"
    )
    last_daily_period: Mapped[dt.date | None] = mapped_column(Date)
    last_retro_period: Mapped[str | None] = mapped_column(String(16))

    @property
    def enrolled(self) -> bool:
        return self.plan is not None and self.start_date is not None


class Learner(Enrolment, Timestamped, Base):
    """One person on one platform. Enrolment fields stay NULL until onboarding finishes."""

    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        # The scheduler's tick: who in this timezone has a push time in the last minute.
        Index("ix_learners_schedule", "timezone", "push_time"),
        # Ids are never reused: the outbox names recipients by id, so a new learner must not
        # inherit a forgotten one's (PostgreSQL sequences never reuse ids anyway).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    platform_user_id: Mapped[str] = mapped_column(String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    # What typed text the learner's next plain message answers ("timezone", "push_time"), if any.
    awaiting: Mapped[str | None] = mapped_column(String(32))
    # Per-learner quiz limits; NULL means the deployment's default (TUTORBOT_QUIZ__*).
    new_per_day: Mapped[int | None] = mapped_column(Integer)
    reviews_per_day: Mapped[int | None] = mapped_column(Integer)
    desired_retention: Mapped[float | None] = mapped_column(Float)
    # Lessons before this day have no question left without a card: new-card lookups start here.
    new_frontier_day: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )
    # FSRS weights fitted to this learner's reviews by the nightly optimizer, when it has run.
    fsrs_parameters: Mapped[list[float] | None] = mapped_column(JSON)

    completions: Mapped[list[LessonCompletion]] = relationship(
        back_populates="learner", cascade="all, delete-orphan", passive_deletes=True
    )


class LessonCompletion(Base):
    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True
    )
    lesson_key: Mapped[str] = mapped_column(ForeignKey("curriculum_lessons.key"), nullable=False)
    plan: Mapped[str] = mapped_column(String(32), nullable=False)
    day: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)

    learner: Mapped[Learner] = relationship(back_populates="completions")


class ButtonMenu(Base):
    """The buttons of one reply. A press is honoured only for its owner, once, before expiry."""

    __tablename__ = "button_menus"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # A menu belongs to a flow ("onboarding", "settings", "lesson", "forget"); opening a new
    # menu of the same flow makes the older ones stale.
    flow: Mapped[str] = mapped_column(String(32), nullable=False)
    actions: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    superseded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class CurriculumLesson(Base):
    """The lessons the loaded curriculum offers; `tutorbot curriculum load` keeps it in sync."""

    __tablename__ = "curriculum_lessons"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    track: Mapped[str | None] = mapped_column(String(16))
    day: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # Lessons dropped from the sources are retired, never deleted: learners' history points at them.
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class QuestionRow(Base):
    """A bank question as imported; `tutorbot bank import` keeps it in step with the bank files."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    plan: Mapped[str] = mapped_column(String(32), nullable=False)
    track: Mapped[str | None] = mapped_column(String(16))
    day: Mapped[int] = mapped_column(Integer, nullable=False)
    lesson_key: Mapped[str] = mapped_column(
        ForeignKey("curriculum_lessons.key"), nullable=False, index=True
    )
    topic: Mapped[str] = mapped_column(Text, nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="zh")
    stem: Mapped[str] = mapped_column(Text, nullable=False)
    options: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    accepted: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    explanation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    provenance: Mapped[str] = mapped_column(String(64), nullable=False, default="curated")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    content_hash: Mapped[str] = mapped_column(String(16), nullable=False)
    # Questions removed from the banks are retired, not deleted: learners' history points at them.
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class CardRow(Base):
    """One learner's FSRS card for one question."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("learner_id", "question_id"),
        # Next-card selection: a learner's unsuspended cards in due order.
        Index("ix_cards_learner_due", "learner_id", "suspended", "due"),
        # The daily new-card limit counts a learner's cards created since local midnight.
        Index("ix_cards_learner_created", "learner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"), nullable=False)
    lesson_key: Mapped[str] = mapped_column(String(64), nullable=False)
    # fsrs.Card.to_dict(): the library's own serialisation is the source of truth.
    fsrs_card: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # Copies of fields inside fsrs_card, kept for indexing and statistics.
    due: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    state: Mapped[int] = mapped_column(Integer, nullable=False)
    reps: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lapses: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class ReviewLogRow(Base):
    """Every review, kept so that FSRS parameters can be optimised per learner later."""

    __tablename__ = "review_logs"
    __table_args__ = (Index("ix_review_logs_learner_time", "learner_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), nullable=False, index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # The card's FSRS state before this review (1 learning, 2 review, 3 relearning).
    state_before: Mapped[int] = mapped_column(Integer, nullable=False)
    correct: Mapped[bool | None] = mapped_column(Boolean)


class QuizSessionRow(Base):
    """A /quiz run: its queue of questions and where the learner is in it."""

    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # "scheduled" reviews change the schedule; "practice" (a day or topic) never does.
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    scope: Mapped[str | None] = mapped_column(String(128))
    queue: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    answered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    correct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    presented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AskTurn(Base):
    """One /ask question with its answer, the passages it was built from, and the feedback."""

    __tablename__ = "ask_turns"
    __table_args__ = (
        # The rate limit and follow-ups look at one user's recent turns.
        Index("ix_ask_turns_user_time", "platform", "platform_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL when someone asks before /start; their turns join the learner at the next /ask.
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    platform_user_id: Mapped[str] = mapped_column(String(64), nullable=False)
    chat_id: Mapped[str] = mapped_column(String(64), nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # "llm" or "extractive"; "pending" while a streamed answer is still being written.
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    passages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    feedback: Mapped[int | None] = mapped_column(Integer)  # +1 👍, -1 👎
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
