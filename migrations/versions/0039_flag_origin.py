"""A safeguarding flag says where its words came from: an answer, a text outside a survey,
words posted as the survey closed, or a paper form voided after keying (whose answers go, and
whose flag now stays for the lead with the words).

Revision ID: 0039_flag_origin
Revises: 0038_conversation_version
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0039_flag_origin"
down_revision = "0038_conversation_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(10), nullable=False, server_default="answer")
        )
    op.execute("UPDATE safeguarding_flag SET origin = 'text' WHERE answer_id IS NULL")


def downgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.drop_column("origin")
