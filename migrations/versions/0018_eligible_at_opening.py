"""A round records how many care leavers were eligible when it opened (the response rate's
denominator), so later imports and erasures do not move the rate.

Rounds already open or closed get the figure the first time a page asks for it
(surveys/response_rate.py): the eligibility rule is Python, not SQL.

Revision ID: 0018_eligible_at_opening
Revises: 0017_staff_oidc
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_eligible_at_opening"
down_revision = "0017_staff_oidc"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("survey_round", sa.Column("eligible_at_opening", sa.Integer(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would rebuild survey_round,
    # which SQLite refuses while other tables' foreign keys point at it.
    op.execute("ALTER TABLE survey_round DROP COLUMN eligible_at_opening")
