"""Anonymity (issue 14): responses keep no date; the charts read a daily tally per round.

A response's start and finish dates beside an invitation's sent and reminded dates narrowed a
named person to a few responses. The charts of responses over time need only how many were
complete by the end of each day, so round_tally holds that (written by a daily job) and the
two date columns go. The upgrade fills the tallies from the dates before dropping them. The
downgrade puts the columns back with the round's opening date (the real dates are gone).

Revision ID: 0022_response_dates
Revises: 0021_send_confirmation
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_response_dates"
down_revision = "0021_send_confirmation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("complete", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_round_tally_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_tally")),
        sa.UniqueConstraint("round_id", "on", name=op.f("uq_round_tally_round_id_on")),
    )
    op.create_index(op.f("ix_round_tally_round_id"), "round_tally", ["round_id"])
    # The cumulative count at the end of each day that had a completion.
    op.execute(
        'INSERT INTO round_tally (round_id, "on", complete)'
        " SELECT d.round_id, d.completed_on, (SELECT COUNT(*) FROM response r"
        "  WHERE r.round_id = d.round_id AND r.status = 'complete'"
        "  AND r.completed_on <= d.completed_on)"
        " FROM (SELECT DISTINCT round_id, completed_on FROM response"
        "  WHERE status = 'complete' AND completed_on IS NOT NULL) d"
    )
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy of the table: dropping the old
    # table would cascade to every answer.
    op.drop_column("response", "started_on")
    op.drop_column("response", "completed_on")


def downgrade():
    op.add_column("response", sa.Column("started_on", sa.Date(), nullable=True))
    op.add_column("response", sa.Column("completed_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE response SET started_on ="
        " (SELECT opens_on FROM survey_round WHERE survey_round.id = response.round_id)"
    )
    op.execute("UPDATE response SET completed_on = started_on WHERE status = 'complete'")
    if op.get_bind().dialect.name == "postgresql":  # SQLite would copy the table (see above)
        op.alter_column("response", "started_on", existing_type=sa.Date(), nullable=False)
    op.drop_index(op.f("ix_round_tally_round_id"), table_name="round_tally")
    op.drop_table("round_tally")
