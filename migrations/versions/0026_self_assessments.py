"""Self-assessments (issue 23): rounds of a framework (Baker and Dixon, the Care Leavers'
Charter), one set of answers for staff and one for young people in each, the critical friend's
two 0-10 ratings, and each round's history of saves.

The downgrade drops the four tables and every assessment in them.

Revision ID: 0026_self_assessments
Revises: 0025_outcomes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_self_assessments"
down_revision = "0025_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "self_assessment_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("friend", sa.String(160), nullable=False),
        sa.Column("rating_now", sa.Integer(), nullable=True),
        sa.Column("rating_now_label", sa.String(160), nullable=False),
        sa.Column("comment_now", sa.Text(), nullable=False),
        sa.Column("rating_improving", sa.Integer(), nullable=True),
        sa.Column("rating_improving_label", sa.String(160), nullable=False),
        sa.Column("comment_improving", sa.Text(), nullable=False),
        sa.Column("friend_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rating_now BETWEEN 0 AND 10",
            name=op.f("ck_self_assessment_round_rating_now_range"),
        ),
        sa.CheckConstraint(
            "rating_improving BETWEEN 0 AND 10",
            name=op.f("ck_self_assessment_round_rating_improving_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_round")),
        sa.UniqueConstraint(
            "framework", "held_on", name=op.f("uq_self_assessment_round_framework_held_on")
        ),
    )
    op.create_index(
        op.f("ix_self_assessment_round_framework"), "self_assessment_round", ["framework"]
    )
    op.create_table(
        "self_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.String(12), nullable=False),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "respondents IN ('staff','young_people')",
            name=op.f("ck_self_assessment_respondents_known"),
        ),
        sa.CheckConstraint(
            "people IS NULL OR people >= 0", name=op.f("ck_self_assessment_people_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["self_assessment_round.id"],
            name=op.f("fk_self_assessment_round_id_self_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment")),
        sa.UniqueConstraint(
            "round_id", "respondents", name=op.f("uq_self_assessment_round_id_respondents")
        ),
    )
    op.create_index(op.f("ix_self_assessment_round_id"), "self_assessment", ["round_id"])
    op.create_table(
        "self_assessment_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.String(60), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["self_assessment.id"],
            name=op.f("fk_self_assessment_answer_assessment_id_self_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_answer")),
        sa.UniqueConstraint(
            "assessment_id",
            "statement",
            name=op.f("uq_self_assessment_answer_assessment_id_statement"),
        ),
    )
    op.create_index(
        op.f("ix_self_assessment_answer_assessment_id"),
        "self_assessment_answer",
        ["assessment_id"],
    )
    op.create_table(
        "self_assessment_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("saved_on", sa.Date(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["self_assessment_round.id"],
            name=op.f("fk_self_assessment_edit_round_id_self_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["staff_user.id"],
            name=op.f("fk_self_assessment_edit_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_edit")),
    )
    op.create_index(op.f("ix_self_assessment_edit_round_id"), "self_assessment_edit", ["round_id"])


def downgrade():
    op.drop_index(op.f("ix_self_assessment_edit_round_id"), table_name="self_assessment_edit")
    op.drop_table("self_assessment_edit")
    op.drop_index(
        op.f("ix_self_assessment_answer_assessment_id"), table_name="self_assessment_answer"
    )
    op.drop_table("self_assessment_answer")
    op.drop_index(op.f("ix_self_assessment_round_id"), table_name="self_assessment")
    op.drop_table("self_assessment")
    op.drop_index(op.f("ix_self_assessment_round_framework"), table_name="self_assessment_round")
    op.drop_table("self_assessment_round")
