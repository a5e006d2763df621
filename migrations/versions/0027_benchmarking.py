"""Benchmarking between councils (issue 24): this install's id and sharing settings, the keys
other installs sign with (pinned on first use), and the files imported from them.

The downgrade drops the three tables (imported figures are lost; re-import the files).

Revision ID: 0027_benchmarking
Revises: 0026_self_assessments
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_benchmarking"
down_revision = "0026_self_assessments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "benchmark_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("install_id", sa.String(40), nullable=False),
        sa.Column("share_name", sa.Boolean(), nullable=False),
        sa.Column("cluster", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_settings")),
        sa.UniqueConstraint("install_id", name=op.f("uq_benchmark_settings_install_id")),
    )
    op.create_table(
        "benchmark_signer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("install_id", sa.String(40), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(80), nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_signer")),
        sa.UniqueConstraint("install_id", name=op.f("uq_benchmark_signer_install_id")),
    )
    op.create_table(
        "benchmark_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("install_id", sa.String(40), nullable=False),
        sa.Column("edition", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_name", sa.String(120), nullable=True),
        sa.Column("cluster", sa.String(120), nullable=True),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("imported_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["install_id"],
            ["benchmark_signer.install_id"],
            name=op.f("fk_benchmark_file_install_id_benchmark_signer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_file")),
        sa.UniqueConstraint(
            "install_id",
            "edition",
            "version",
            name=op.f("uq_benchmark_file_install_id_edition_version"),
        ),
    )


def downgrade():
    op.drop_table("benchmark_file")
    op.drop_table("benchmark_signer")
    op.drop_table("benchmark_settings")
