"""A letter run records when it last made progress, so a run whose job died is seen as stale.

Existing runs take their creation time. The downgrade drops the column.

Revision ID: 0033_stale_letter_runs
Revises: 0032_boardloop
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_stale_letter_runs"
down_revision = "0032_boardloop"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter_run") as batch:
        batch.add_column(sa.Column("progressed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE letter_run SET progressed_at = created_at")
    with op.batch_alter_table("letter_run") as batch:
        batch.alter_column("progressed_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("letter_run") as batch:
        batch.drop_column("progressed_at")
