"""The board's figures come from a snapshot that moves in steps of at least 5 responses.

Revision ID: 0014_board_snapshot
Revises: 0013_contact_import_report
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_board_snapshot"
down_revision = "0013_contact_import_report"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("coded", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_board_snapshot_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_snapshot")),
        sa.UniqueConstraint("round_id", name=op.f("uq_board_snapshot_round_id")),
    )


def downgrade():
    op.drop_table("board_snapshot")
