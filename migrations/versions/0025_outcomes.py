"""Care leavers' outcomes (issue 23): the council's SSDA903 counts by year and age group, its
targets, and national and statistical-neighbour figures to compare with.

New tables only; the downgrade drops them (and the imported figures with them).

Revision ID: 0025_outcomes
Revises: 0024_plan_and_board_replies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_outcomes"
down_revision = "0024_plan_and_board_replies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("age_group", sa.String(5), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("in_touch", sa.Integer(), nullable=False),
        sa.Column("eet", sa.Integer(), nullable=False),
        sa.Column("suitable_accommodation", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "age_group IN ('17-18','19-21')", name=op.f("ck_outcome_figure_age_group_known")
        ),
        sa.CheckConstraint("cohort >= 0", name=op.f("ck_outcome_figure_cohort_not_negative")),
        sa.CheckConstraint(
            "in_touch BETWEEN 0 AND cohort", name=op.f("ck_outcome_figure_in_touch_within_cohort")
        ),
        sa.CheckConstraint(
            "eet BETWEEN 0 AND cohort", name=op.f("ck_outcome_figure_eet_within_cohort")
        ),
        sa.CheckConstraint(
            "suitable_accommodation BETWEEN 0 AND cohort",
            name=op.f("ck_outcome_figure_accommodation_within_cohort"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["staff_user.id"],
            name=op.f("fk_outcome_figure_imported_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_figure")),
        sa.UniqueConstraint("year", "age_group", name=op.f("uq_outcome_figure_year_age_group")),
    )
    op.create_index(op.f("ix_outcome_figure_year"), "outcome_figure", ["year"])
    op.create_table(
        "outcome_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(30), nullable=False),
        sa.Column("age_group", sa.String(5), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "percent BETWEEN 0 AND 100", name=op.f("ck_outcome_target_percent_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_target")),
        sa.UniqueConstraint(
            "measure", "age_group", name=op.f("uq_outcome_target_measure_age_group")
        ),
    )
    op.create_table(
        "outcome_comparison",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("measure", sa.String(30), nullable=False),
        sa.Column("age_group", sa.String(5), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('national','neighbours')", name=op.f("ck_outcome_comparison_kind_known")
        ),
        sa.CheckConstraint(
            "percent BETWEEN 0 AND 100", name=op.f("ck_outcome_comparison_percent_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_comparison")),
        sa.UniqueConstraint(
            "kind",
            "measure",
            "age_group",
            "year",
            name=op.f("uq_outcome_comparison_kind_measure_age_group_year"),
        ),
    )


def downgrade():
    op.drop_table("outcome_comparison")
    op.drop_table("outcome_target")
    op.drop_index(op.f("ix_outcome_figure_year"), table_name="outcome_figure")
    op.drop_table("outcome_figure")
