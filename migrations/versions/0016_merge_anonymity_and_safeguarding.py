"""Merge the anonymity (random keys) and safeguarding (layers) migrations, built side by side.

Revision ID: 0016_merge
Revises: 0015_random_keys, 0015_safeguarding_layers
Create Date: 2026-12-01
"""

# revision identifiers, used by Alembic.
revision = "0016_merge"
down_revision = ("0015_random_keys", "0015_safeguarding_layers")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
