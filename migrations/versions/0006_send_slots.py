"""send slots: the overall sending rate of a platform, shared by every dispatcher

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_slots",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", name=op.f("pk_send_slots")),
    )


def downgrade() -> None:
    op.drop_table("send_slots")
