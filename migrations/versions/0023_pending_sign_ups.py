"""Anonymity (issue 14): thank-you page sign-ups wait sealed and are written in batches.

A sign-up written in its own request just after the answers sat straight after its response
in PostgreSQL's row versions (xmin), pairing the name with the answers. The thank-you page now
stores only a sealed box in pending_sign_up (random key, no round, no time); a daily job
writes the contact_request rows in shuffled batches (surveys/web/sign_ups.py). Sign-ups
already in contact_request stay as they are. The downgrade drops the waiting boxes: apply
them first (`flask sign-ups apply --all`) or they are lost.

Revision ID: 0023_pending_sign_ups
Revises: 0022_response_dates
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_pending_sign_ups"
down_revision = "0022_response_dates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_sign_up",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_sign_up")),
    )


def downgrade():
    op.drop_table("pending_sign_up")
