"""A text conversation carries a version that each text's write checks: two texts at once from
a number invited by text each started a survey, and the later write silently replaced the
other's, leaving a response in progress that nothing leads to.

Revision ID: 0038_conversation_version
Revises: 0037_flags_outside_a_survey
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0038_conversation_version"
down_revision = "0037_flags_outside_a_survey"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_conversation") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("sms_conversation") as batch:
        batch.drop_column("version")
