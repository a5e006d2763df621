"""Languages by text (issue 22): a text conversation keeps the language it is in.

``sms_conversation.language`` is a language code (app/core/languages.py), NULL for English. It
is deleted with the conversation, like everything else on that row. The downgrade drops it
(conversations in progress carry on in English).

Revision ID: 0025_languages
Revises: 0024_plan_and_board_replies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_languages"
down_revision = "0024_plan_and_board_replies"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_conversation") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade():
    with op.batch_alter_table("sms_conversation") as batch:
        batch.drop_column("language")
