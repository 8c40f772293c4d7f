"""learners, lesson completions, button menus, curriculum lessons

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "curriculum_lessons",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.String(length=32), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=True),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_curriculum_lessons")),
    )
    with op.batch_alter_table("curriculum_lessons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_curriculum_lessons_plan"), ["plan"], unique=False)

    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
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
        sa.Column("awaiting", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("platform", "platform_user_id", name=op.f("uq_learners_platform")),
    )
    op.create_table(
        "button_menus",
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_button_menus_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_button_menus")),
    )
    with op.batch_alter_table("button_menus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_button_menus_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "lesson_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("lesson_key", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_lesson_completions_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_key"],
            ["curriculum_lessons.key"],
            name=op.f("fk_lesson_completions_lesson_key_curriculum_lessons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_completions")),
        sa.UniqueConstraint(
            "learner_id", "lesson_key", name=op.f("uq_lesson_completions_learner_id")
        ),
    )
    with op.batch_alter_table("lesson_completions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_completions_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_completions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_completions_learner_id"))

    op.drop_table("lesson_completions")
    with op.batch_alter_table("button_menus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_button_menus_learner_id"))

    op.drop_table("button_menus")
    op.drop_table("learners")
    with op.batch_alter_table("curriculum_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_curriculum_lessons_plan"))

    op.drop_table("curriculum_lessons")
