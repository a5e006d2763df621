"""Merge the forum and contacts migrations, built side by side, into one head.

Revision ID: 0010
Revises: 0007, 0008
Create Date: 2026-11-23
"""

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = ("0007", "0008")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
