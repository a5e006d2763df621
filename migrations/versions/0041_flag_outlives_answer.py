"""A safeguarding flag outlives its answer: the answer's foreign key sets the flag's link empty
instead of deleting the flag (and the lead's notes) with the answer. Voiding a paper form moves
a flag's words onto it first (keep_flags_of); any other way an answer might go keeps the flag.

Revision ID: 0041_flag_outlives_answer
Revises: 0040_keyed_flag
Create Date: 2026-12-03
"""

from alembic import op

revision = "0041_flag_outlives_answer"
down_revision = "0040_keyed_flag"
branch_labels = None
depends_on = None

NAME = "fk_safeguarding_flag_answer_id_answer"


def _link(ondelete: str) -> None:
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.drop_constraint(NAME, type_="foreignkey")
        batch.create_foreign_key(NAME, "answer", ["answer_id"], ["id"], ondelete=ondelete)


def upgrade():
    _link("SET NULL")


def downgrade():
    _link("CASCADE")
