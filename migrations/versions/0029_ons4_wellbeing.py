"""The personal well-being module (ONS4, issue 24): a round may ask the ONS's four well-being
questions after its questionnaire. ``survey_round.wellbeing_module_id`` names the module's own
questionnaire (loaded from surveys/questionnaires/modules/ when a round first includes it), so
existing rounds include nothing. The downgrade drops the column; the module's questionnaire and
any answers to it stay, as answers to a questionnaire no round names.

Revision ID: 0029_ons4_wellbeing
Revises: 0028_languages
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_ons4_wellbeing"
down_revision = "0028_languages"
branch_labels = None
depends_on = None


FK = "fk_survey_round_wellbeing_module_id_questionnaire"


# Plain ALTER TABLE, not batch mode: batch would rebuild survey_round, which SQLite refuses
# while other tables' foreign keys point at it (as in 0018). SQLite takes the foreign key as a
# named column constraint, which a plain DROP COLUMN removes with the column.
def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE survey_round ADD COLUMN wellbeing_module_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES questionnaire (id)"
        )
        return
    op.add_column("survey_round", sa.Column("wellbeing_module_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK, "survey_round", "questionnaire", ["wellbeing_module_id"], ["id"])


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "survey_round", type_="foreignkey")
    op.execute("ALTER TABLE survey_round DROP COLUMN wellbeing_module_id")
