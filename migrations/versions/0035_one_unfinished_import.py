"""One unfinished import at a time, held by the database: a partial unique index on
``import_run.round_id`` over the runs still waiting or importing, and on
``contact_import_report.upload_id`` over the imports not finished. Two clicks at the same
moment each found no import begun and began one, and both jobs then added the same rows.

Before the indexes are made, any second unfinished run of a round (or report of an upload) that
the old code let in is stopped, newest kept, so the upgrade cannot fail on them.

Revision ID: 0035_one_unfinished_import
Revises: 0034_import_runs
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_one_unfinished_import"
down_revision = "0034_import_runs"
branch_labels = None
depends_on = None

RUNS_UNFINISHED = "state IN ('waiting', 'importing')"
REPORTS_UNFINISHED = "NOT finished"


def upgrade():
    op.execute(
        "UPDATE import_run SET state = 'stopped', message = 'Stopped: another import of this "
        f"round was running at the same time' WHERE {RUNS_UNFINISHED} AND id NOT IN "
        f"(SELECT max(id) FROM import_run WHERE {RUNS_UNFINISHED} GROUP BY round_id)"
    )
    op.execute(
        "UPDATE contact_import_report SET finished = true, summary = 'Stopped: the same file "
        f"was being imported twice' WHERE {REPORTS_UNFINISHED} AND upload_id IS NOT NULL AND "
        "id NOT IN (SELECT max(id) FROM contact_import_report "
        f"WHERE {REPORTS_UNFINISHED} AND upload_id IS NOT NULL GROUP BY upload_id)"
    )
    op.create_index(
        "uq_import_run_one_unfinished_per_round",
        "import_run",
        ["round_id"],
        unique=True,
        sqlite_where=sa.text(RUNS_UNFINISHED),
        postgresql_where=sa.text(RUNS_UNFINISHED),
    )
    op.create_index(
        "uq_contact_import_report_one_unfinished_per_upload",
        "contact_import_report",
        ["upload_id"],
        unique=True,
        sqlite_where=sa.text(REPORTS_UNFINISHED),
        postgresql_where=sa.text(REPORTS_UNFINISHED),
    )


def downgrade():
    op.drop_index("uq_contact_import_report_one_unfinished_per_upload", "contact_import_report")
    op.drop_index("uq_import_run_one_unfinished_per_round", "import_run")
