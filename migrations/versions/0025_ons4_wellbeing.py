"""The personal well-being module (ONS4, issue 24): a round may ask the ONS's four well-being
questions after its questionnaire. ``survey_round.wellbeing_module_id`` names the module's own
questionnaire (loaded from surveys/questionnaires/modules/ when a round first includes it), so
existing rounds include nothing. The downgrade drops the column; the module's questionnaire and
any answers to it stay, as answers to a questionnaire no round names.

Revision ID: 0025_ons4_wellbeing
Revises: 0024_plan_and_board_replies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_ons4_wellbeing"
down_revision = "0024_plan_and_board_replies"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wellbeing_module_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_round_wellbeing_module_id_questionnaire"),
            "questionnaire",
            ["wellbeing_module_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_round_wellbeing_module_id_questionnaire"), type_="foreignkey"
        )
        batch_op.drop_column("wellbeing_module_id")
