"""delivery outbox, study groups, retrospective schedule

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient_type", sa.String(length=8), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "recipient_type",
            "recipient_id",
            "kind",
            "period",
            name=op.f("uq_deliveries_recipient_type"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_state_next", ["state", "next_attempt_at"], unique=False
        )

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("push_time", sa.Time(), nullable=False),
        sa.Column("plan", sa.String(length=32), nullable=True),
        sa.Column("track", sa.String(length=16), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("next_lesson_day", sa.Integer(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("retro_weekday", sa.Integer(), nullable=False),
        sa.Column("retro_time", sa.Time(), nullable=False),
        sa.Column("last_daily_period", sa.Date(), nullable=True),
        sa.Column("last_retro_period", sa.String(length=16), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_groups_platform")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index("ix_groups_schedule", ["timezone", "push_time"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_group_members_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
        sa.UniqueConstraint("group_id", "learner_id", name=op.f("uq_group_members_group_id")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_members_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "group_quiz_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("post_token", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_quiz_answers_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_group_quiz_answers_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_group_quiz_answers_question_id_questions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_quiz_answers")),
        sa.UniqueConstraint(
            "group_id", "post_token", "learner_id", name=op.f("uq_group_quiz_answers_group_id")
        ),
    )
    with op.batch_alter_table("group_quiz_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_quiz_answers_learner_id"), ["learner_id"], unique=False
        )

    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retro_weekday", sa.Integer(), server_default="6", nullable=False)
        )
        batch_op.add_column(
            sa.Column("retro_time", sa.Time(), server_default="20:00:00", nullable=False)
        )
        batch_op.add_column(sa.Column("last_daily_period", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_retro_period", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_learners_schedule", ["timezone", "push_time"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_index("ix_learners_schedule")
        batch_op.drop_column("last_retro_period")
        batch_op.drop_column("last_daily_period")
        batch_op.drop_column("retro_time")
        batch_op.drop_column("retro_weekday")

    with op.batch_alter_table("group_quiz_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_quiz_answers_learner_id"))

    op.drop_table("group_quiz_answers")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_learner_id"))

    op.drop_table("group_members")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index("ix_groups_schedule")

    op.drop_table("groups")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_state_next")

    op.drop_table("deliveries")
