"""The plan and the board-forum loop (issue 23): the plan's aims, lead, resources, timeline and
objectives; milestones gain an owner, a status (achieved), retirement and a history; the
board's replies to the forum's asks, shown on the public page.

Existing milestones become "not started" with no owner. The downgrade drops the plan, its
objectives, its history and the board's replies.

Revision ID: 0024_plan_and_board_replies
Revises: 0023_pending_sign_ups
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_plan_and_board_replies"
down_revision = "0023_pending_sign_ups"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aims", sa.Text(), nullable=False),
        sa.Column("lead", sa.String(200), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("public_summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_table(
        "plan_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("success_measure", sa.Text(), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objective")),
    )
    with op.batch_alter_table("plan_milestone") as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(120), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="not_started")
        )
        batch_op.add_column(sa.Column("achieved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("retired_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            op.f("ck_plan_milestone_milestone_status_known"),
            "status IN ('not_started','in_progress','achieved')",
        )
        batch_op.create_check_constraint(
            op.f("ck_plan_milestone_achieved_has_date"),
            "status <> 'achieved' OR achieved_on IS NOT NULL",
        )
    op.create_table(
        "plan_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["plan_milestone.id"],
            name=op.f("fk_plan_change_milestone_id_plan_milestone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["staff_user.id"],
            name=op.f("fk_plan_change_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_change")),
    )
    op.create_index(op.f("ix_plan_change_milestone_id"), "plan_change", ["milestone_id"])
    op.create_table(
        "board_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_meeting_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("heard_on", sa.Date(), nullable=False),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_meeting_id"],
            ["board_meeting.id"],
            name=op.f("fk_board_reply_board_meeting_id_board_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["you_said_item.id"],
            name=op.f("fk_board_reply_item_id_you_said_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["staff_user.id"],
            name=op.f("fk_board_reply_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_reply")),
    )
    op.create_index(op.f("ix_board_reply_board_meeting_id"), "board_reply", ["board_meeting_id"])
    op.create_index(op.f("ix_board_reply_item_id"), "board_reply", ["item_id"])


def downgrade():
    op.drop_index(op.f("ix_board_reply_item_id"), table_name="board_reply")
    op.drop_index(op.f("ix_board_reply_board_meeting_id"), table_name="board_reply")
    op.drop_table("board_reply")
    op.drop_index(op.f("ix_plan_change_milestone_id"), table_name="plan_change")
    op.drop_table("plan_change")
    with op.batch_alter_table("plan_milestone") as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_milestone_achieved_has_date"), type_="check")
        batch_op.drop_constraint(op.f("ck_plan_milestone_milestone_status_known"), type_="check")
        batch_op.drop_column("retired_reason")
        batch_op.drop_column("retired_on")
        batch_op.drop_column("achieved_on")
        batch_op.drop_column("status")
        batch_op.drop_column("owner")
    op.drop_table("plan_objective")
    op.drop_table("plan")
