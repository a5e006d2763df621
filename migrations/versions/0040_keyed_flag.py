"""A paper form keyed under double entry raises its safeguarding flag at its first keying, not
when it is verified (which may be days later, or never): the keying remembers its flag, which
the answer takes over at verification.

Revision ID: 0040_keyed_flag
Revises: 0039_flag_origin
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_keyed_flag"
down_revision = "0039_flag_origin"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("keyed_entry") as batch:
        batch.add_column(sa.Column("flag_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_keyed_entry_flag_id_safeguarding_flag",
            "safeguarding_flag",
            ["flag_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("keyed_entry") as batch:
        batch.drop_constraint("fk_keyed_entry_flag_id_safeguarding_flag", type_="foreignkey")
        batch.drop_column("flag_id")
