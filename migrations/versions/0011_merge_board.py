"""Merge the board's migration, built beside forum and contacts, into one head.

Revision ID: 0011
Revises: 0009, 0010
Create Date: 2026-11-23
"""

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = ("0009", "0010")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
