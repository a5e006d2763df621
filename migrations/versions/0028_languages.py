"""Languages (issue 22): a text conversation keeps the language it is in; translations imported
from a translator, and whether a translator has checked each language.

``sms_conversation.language`` is a language code (app/core/languages.py), NULL for English. It
is deleted with the conversation, like everything else on that row. ``translation_text`` and
``language_status``: surveys/translator/models.py. The downgrade drops them all (conversations
in progress carry on in English; imported translations are lost: export them first).

Revision ID: 0028_languages
Revises: 0027_benchmarking
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_languages"
down_revision = "0027_benchmarking"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_conversation") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
    op.create_table(
        "translation_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("context", sa.String(200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_text")),
        sa.UniqueConstraint("language", "context", "source", name="uq_translation_text_key"),
    )
    with op.batch_alter_table("translation_text") as batch:
        batch.create_index(batch.f("ix_translation_text_language"), ["language"], unique=False)
    op.create_table(
        "language_status",
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("language", name=op.f("pk_language_status")),
    )


def downgrade():
    op.drop_table("language_status")
    with op.batch_alter_table("translation_text") as batch:
        batch.drop_index(batch.f("ix_translation_text_language"))
    op.drop_table("translation_text")
    with op.batch_alter_table("sms_conversation") as batch:
        batch.drop_column("language")
