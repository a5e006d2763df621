"""Imports run as fenced jobs: ``import_run`` holds a response import's progress and outcome,
and a contacts import's report names its upload, the job's attempt and when it last saved a
batch (app/core/batches.py), so a lost job's import is taken up again.

Existing reports get attempt 0 and no upload or progress time. The downgrade drops it all.

Revision ID: 0034_import_runs
Revises: 0033_stale_letter_runs
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_import_runs"
down_revision = "0033_stale_letter_runs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("valid_only", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("message", sa.String(length=400), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("progressed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('waiting','importing','done','refused','stopped')",
            name=op.f("ck_import_run_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_import_run_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["import_upload.id"],
            name=op.f("fk_import_run_upload_id_import_upload"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run") as batch:
        batch.create_index(batch.f("ix_import_run_round_id"), ["round_id"], unique=False)
    with op.batch_alter_table("contact_import_report") as batch:
        batch.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("attempt", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("progressed_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_contact_import_report_upload_id_contact_upload"),
            "contact_upload",
            ["upload_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("contact_import_report") as batch:
        batch.drop_constraint(
            batch.f("fk_contact_import_report_upload_id_contact_upload"), type_="foreignkey"
        )
        batch.drop_column("progressed_at")
        batch.drop_column("attempt")
        batch.drop_column("upload_id")
    with op.batch_alter_table("import_run") as batch:
        batch.drop_index(batch.f("ix_import_run_round_id"))
    op.drop_table("import_run")
