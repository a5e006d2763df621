"""Paper forms remember, sealed, which response they became, so a keyed form can be voided.

Revision ID: 0020_paper_void
Revises: 0019_phone_hash_key_id
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_paper_void"
down_revision = "0019_phone_hash_key_id"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("paper_form") as batch_op:
        batch_op.add_column(sa.Column("response_box", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("paper_form") as batch_op:
        batch_op.drop_column("response_box")
