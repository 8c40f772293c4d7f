"""Tables of the scheduler (the delivery outbox) and of study groups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, Enrolment, Timestamped, UTCDateTime

# Delivery states: pending -> sending -> sent, or failed (retried later) -> ... -> dead.
PENDING, SENDING, SENT, FAILED, DEAD = "pending", "sending", "sent", "failed", "dead"


class Delivery(Base):
    """One message to push: unique per (recipient, kind, period), so it is never enqueued twice."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("recipient_type", "recipient_id", "kind", "period"),
        # The dispatcher's claim: due rows in a sendable state, oldest first.
        Index("ix_deliveries_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recipient_type: Mapped[str] = mapped_column(String(8), nullable=False)  # "learner" | "group"
    recipient_id: Mapped[int] = mapped_column(Integer, nullable=False)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    chat_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "daily" | "retro"
    period: Mapped[str] = mapped_column(String(16), nullable=False)  # local date or ISO week
    state: Mapped[str] = mapped_column(String(8), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class Group(Enrolment, Timestamped, Base):
    """A study group: a Telegram group or a Discord channel following one plan together."""

    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id"),
        Index("ix_groups_schedule", "timezone", "push_time"),
        # Ids are never reused (the outbox names recipients by id), as for learners.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    chat_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    # How long a posted group-quiz question takes answers; the admins set it.
    quiz_window_minutes: Mapped[int] = mapped_column(
        Integer, nullable=False, default=60, server_default="60"
    )


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "learner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), nullable=False
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True
    )
    points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class GroupQuizAnswer(Base):
    """A member's answer to a question posted in the group: one per member and question post."""

    __tablename__ = "group_quiz_answers"
    __table_args__ = (UniqueConstraint("group_id", "post_token", "learner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), nullable=False
    )
    post_token: Mapped[str] = mapped_column(String(16), nullable=False)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"), nullable=False)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True
    )
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class SendSlot(Base):
    """The next free sending slot of a platform, shared by every dispatcher process: slots are
    1/rate apart, so all processes together keep to the platform's overall rate."""

    __tablename__ = "send_slots"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class Broadcast(Base):
    """An operator's announcement (`/admin broadcast`): one text, pushed through the outbox to
    every active learner and group as deliveries of kind `broadcast:<id>`."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    sender: Mapped[str] = mapped_column(String(96), nullable=False)  # platform:user id
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
