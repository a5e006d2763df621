"""Contact imports keep a report of the rows left out or imported with a warning.

Revision ID: 0013_contact_import_report
Revises: 0012_pack_lease
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_contact_import_report"
down_revision = "0012_pack_lease"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_import_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("imported_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_import_report")),
    )
    op.create_index(
        op.f("ix_contact_import_report_imported_on"), "contact_import_report", ["imported_on"]
    )


def downgrade():
    op.drop_index(op.f("ix_contact_import_report_imported_on"), "contact_import_report")
    op.drop_table("contact_import_report")
