"""Confirm tokens for sends (invitations, reminders, updates): each confirm sends once.

Revision ID: 0021_send_confirmation
Revises: 0020_paper_void
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_send_confirmation"
down_revision = "0020_paper_void"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "send_confirmation",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_send_confirmation")),
    )


def downgrade():
    op.drop_table("send_confirmation")
