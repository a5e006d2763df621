"""Merge the areas built side by side (SMS, paper, themes) back into one line of history.

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-23
"""

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
