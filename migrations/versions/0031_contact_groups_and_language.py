"""Who we have not heard from, and in which language (issue 22): optional groups on contacts
(asylum-seeking, disabled, youth justice, parent, in custody, out of area) and a contact's
preferred language for their personal invitation.

Existing contacts are in no group and have no preferred language. The downgrade drops them.

Revision ID: 0031_contact_groups_and_language
Revises: 0030_long_jobs
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_contact_groups_and_language"
down_revision = "0030_long_jobs"
branch_labels = None
depends_on = None

GROUPS = ("asylum_seeking", "disabled", "youth_justice", "parent", "in_custody", "out_of_area")


def upgrade():
    with op.batch_alter_table("contact") as batch_op:
        for group in GROUPS:
            batch_op.add_column(
                sa.Column(f"group_{group}", sa.Boolean(), nullable=False, server_default=sa.false())
            )
        batch_op.add_column(
            sa.Column("preferred_language", sa.String(20), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_column("preferred_language")
        for group in reversed(GROUPS):
            batch_op.drop_column(f"group_{group}")
