"""The board-forum loop (issue 23): the board's front page per round (what is working well,
what needs to improve, the decisions asked for, who saved it and when); board members' requests
for a pack for their meeting; the schedule of forum presentations to the board; forum members'
own monitoring of each action at a forum meeting; and which board reply an update was about.

Nothing existing changes meaning. The downgrade drops the new tables and the update's link.

Revision ID: 0032_boardloop
Revises: 0031_contact_groups_and_language
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_boardloop"
down_revision = "0031_contact_groups_and_language"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_front_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("working_well", sa.Text(), nullable=False),
        sa.Column("to_improve", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_board_front_page_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["staff_user.id"],
            name=op.f("fk_board_front_page_saved_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_front_page")),
        sa.UniqueConstraint("round_id", name=op.f("uq_board_front_page_round_id")),
    )
    op.create_table(
        "board_pack_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("data_key", sa.String(64), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["board_meeting.id"],
            name=op.f("fk_board_pack_request_meeting_id_board_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["board_pack.id"],
            name=op.f("fk_board_pack_request_pack_id_board_pack"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_user.id"],
            name=op.f("fk_board_pack_request_requested_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_pack_request")),
    )
    op.create_index(
        op.f("ix_board_pack_request_meeting_id"), "board_pack_request", ["meeting_id"]
    )
    op.create_index(
        op.f("ix_board_pack_request_requested_by_id"), "board_pack_request", ["requested_by_id"]
    )
    op.create_table(
        "forum_presentation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("presents_on", sa.Date(), nullable=False),
        sa.Column("meeting", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("presenters", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_presentation")),
    )
    op.create_index(op.f("ix_forum_presentation_presents_on"), "forum_presentation", ["presents_on"])
    op.create_table(
        "forum_action_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("forum_meeting_id", sa.Integer(), nullable=False),
        sa.Column("happened", sa.String(10), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "happened IN ('yes','partly','no','dont_know')",
            name=op.f("ck_forum_action_review_happened_known"),
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name=op.f("ck_forum_action_review_satisfaction_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["ysyd_action.id"],
            name=op.f("fk_forum_action_review_action_id_ysyd_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["forum_meeting_id"],
            ["forum_meeting.id"],
            name=op.f("fk_forum_action_review_forum_meeting_id_forum_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_forum_action_review_recorded_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_action_review")),
        sa.UniqueConstraint(
            "action_id",
            "forum_meeting_id",
            name=op.f("uq_forum_action_review_action_id_forum_meeting_id"),
        ),
    )
    with op.batch_alter_table("ysyd_update_notice") as batch_op:
        batch_op.add_column(sa.Column("board_reply_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_ysyd_update_notice_board_reply_id_board_reply"),
            "board_reply",
            ["board_reply_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(op.f("ix_ysyd_update_notice_board_reply_id"), ["board_reply_id"])


def downgrade():
    with op.batch_alter_table("ysyd_update_notice") as batch_op:
        batch_op.drop_index(op.f("ix_ysyd_update_notice_board_reply_id"))
        batch_op.drop_constraint(
            op.f("fk_ysyd_update_notice_board_reply_id_board_reply"), type_="foreignkey"
        )
        batch_op.drop_column("board_reply_id")
    op.drop_table("forum_action_review")
    op.drop_index(op.f("ix_forum_presentation_presents_on"), table_name="forum_presentation")
    op.drop_table("forum_presentation")
    op.drop_index(op.f("ix_board_pack_request_requested_by_id"), table_name="board_pack_request")
    op.drop_index(op.f("ix_board_pack_request_meeting_id"), table_name="board_pack_request")
    op.drop_table("board_pack_request")
    op.drop_table("board_front_page")
