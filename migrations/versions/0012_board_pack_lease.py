"""Board packs are made by the job consumer: who is making one, until when, and how often tried.

Revision ID: 0012_pack_lease
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_pack_lease"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("board_pack") as batch:
        batch.add_column(sa.Column("worker", sa.String(80), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("board_pack") as batch:
        batch.drop_column("attempts")
        batch.drop_column("lease_until")
        batch.drop_column("worker")
