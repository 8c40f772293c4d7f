"""learner and group ids are never reused on SQLite (AUTOINCREMENT): the outbox names its
recipients by id, so a new learner must not inherit a forgotten learner's pushes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL sequences never hand out an id twice; SQLite reuses the largest id once its row is
# deleted unless the table says AUTOINCREMENT, which only rebuilding the table can add.
TABLES = ("learners", "groups")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
