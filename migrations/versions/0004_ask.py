"""ask turns: /ask questions, answers, passages and feedback

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ask_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.Integer(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_ask_turns_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask_turns")),
    )
    with op.batch_alter_table("ask_turns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ask_turns_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(
            "ix_ask_turns_user_time", ["platform", "platform_user_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ask_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_ask_turns_user_time")
        batch_op.drop_index(batch_op.f("ix_ask_turns_learner_id"))

    op.drop_table("ask_turns")
