"""A safeguarding flag can hold the words a young person texted beside (or instead of) an
answer that keeps none: a reply to the date of birth, a yes/no, a number. Such words were never
screened; now they are, and the lead reads them on the flag.

Revision ID: 0036_flag_words
Revises: 0035_one_unfinished_import
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_flag_words"
down_revision = "0035_one_unfinished_import"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.add_column(sa.Column("said", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.drop_column("said")
