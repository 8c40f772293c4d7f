"""groups share the learners' enrolment columns: server defaults for the retrospective schedule

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.alter_column(
            "retro_weekday", existing_type=sa.Integer(), existing_nullable=False, server_default="6"
        )
        batch_op.alter_column(
            "retro_time",
            existing_type=sa.Time(),
            existing_nullable=False,
            server_default="20:00:00",
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.alter_column(
            "retro_time", existing_type=sa.Time(), existing_nullable=False, server_default=None
        )
        batch_op.alter_column(
            "retro_weekday",
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default=None,
        )
