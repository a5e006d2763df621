"""Safeguarding in layers: a flag's level and layers, example rules, escalation to a deputy.

Revision ID: 0015_safeguarding_layers
Revises: 0014_board_snapshot
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_safeguarding_layers"
down_revision = "0014_board_snapshot"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.add_column(sa.Column("level", sa.String(10), nullable=False, server_default="likely"))
        batch.add_column(sa.Column("layers", sa.String(60), nullable=False, server_default="rules"))
        batch.add_column(
            sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint(
            op.f("ck_safeguarding_flag_level_known"), "level IN ('likely','possible')"
        )
    with op.batch_alter_table("screening_rule") as batch:
        batch.drop_constraint(op.f("ck_screening_rule_kind_known"), type_="check")
        batch.create_check_constraint(
            op.f("ck_screening_rule_kind_known"), "kind IN ('phrase','pattern','example')"
        )
    with op.batch_alter_table("authority_settings") as batch:
        batch.add_column(
            sa.Column("out_of_hours_phone", sa.String(40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "safeguarding_deputy_email", sa.String(254), nullable=False, server_default=""
            )
        )
        batch.add_column(
            sa.Column(
                "safeguarding_escalate_hours", sa.Integer(), nullable=False, server_default="24"
            )
        )


def downgrade():
    with op.batch_alter_table("authority_settings") as batch:
        batch.drop_column("safeguarding_escalate_hours")
        batch.drop_column("safeguarding_deputy_email")
        batch.drop_column("out_of_hours_phone")
    op.execute("DELETE FROM screening_rule WHERE kind = 'example'")
    with op.batch_alter_table("screening_rule") as batch:
        batch.drop_constraint(op.f("ck_screening_rule_kind_known"), type_="check")
        batch.create_check_constraint(
            op.f("ck_screening_rule_kind_known"), "kind IN ('phrase','pattern')"
        )
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.drop_constraint(op.f("ck_safeguarding_flag_level_known"), type_="check")
        batch.drop_column("escalated")
        batch.drop_column("layers")
        batch.drop_column("level")
