"""A safeguarding flag can stand without an answer: a text that discloses a risk from a number
in no survey conversation (a first text, one sent after finishing the survey) is flagged for the
lead with its words, and the round it was about if any.

Revision ID: 0037_flags_outside_a_survey
Revises: 0036_flag_words
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_flags_outside_a_survey"
down_revision = "0036_flag_words"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.alter_column("round_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("answer_id", existing_type=sa.BigInteger(), nullable=True)


def downgrade():
    op.execute("DELETE FROM safeguarding_flag WHERE answer_id IS NULL OR round_id IS NULL")
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.alter_column("answer_id", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
