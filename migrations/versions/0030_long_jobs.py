"""Long work as jobs with progress (issue 20): a letter run (the letters PDF for a whole
cohort: its progress and its file) and a contacts import's progress on its report.

The PDF itself is a file under LETTERS_DIR, not in the database. Existing import reports are
finished. The downgrade drops the table and the columns (any finished letter files stay in the
folder until deleted by hand).

Revision ID: 0030_long_jobs
Revises: 0029_ons4_wellbeing
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_long_jobs"
down_revision = "0029_ons4_wellbeing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("which", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("invitation_ids", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(80), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued','running','done','failed')", name=op.f("ck_letter_run_status_known")
        ),
        sa.CheckConstraint("done BETWEEN 0 AND total", name=op.f("ck_letter_run_done_within_total")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["survey_round.id"], name=op.f("fk_letter_run_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["staff_user.id"],
            name=op.f("fk_letter_run_requested_by_id_staff_user"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_run")),
    )
    op.create_index(op.f("ix_letter_run_round_id"), "letter_run", ["round_id"])
    with op.batch_alter_table("contact_import_report") as batch_op:
        batch_op.add_column(
            sa.Column("finished", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("rows_done", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("rows_total", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("contact_import_report") as batch_op:
        batch_op.drop_column("rows_total")
        batch_op.drop_column("rows_done")
        batch_op.drop_column("finished")
    op.drop_index(op.f("ix_letter_run_round_id"), table_name="letter_run")
    op.drop_table("letter_run")
