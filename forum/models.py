"""Tables for the forum and "you said, we did".

Decisions a newcomer might undo:
- Forum members' personal data (name, contact, date of birth) lives only in ``forum_member``.
  Nothing on the public page or the board's views reads it; every staff view of a member is
  audited. Erasure blanks the personal fields and keeps the row, so attendance counts and
  payment totals (money the service spent) still add up.
- A member may come from a survey's forum-interest record (ContactRequest kind "forum"). We copy
  the contact details and mark the request handled; we never link back, so the member cannot be
  tied to the round they answered.
- ``Action.version`` is SQLAlchemy's version counter, and the edit form carries the version it
  showed: a save based on an old version is refused and the second writer is shown what changed
  (services.update_action). Nothing is silently overwritten.
- The RAG rating is not stored: it is worked out from status and dates (rag.py) whenever it is
  shown, so it can never go stale. Only a hand override (with its reason) is stored.
- Progress updates are a dated history (``action_update`` rows), never edited in place.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today, utcnow
from app.core.extensions import Model
from app.staff.auth.models import StaffUser


class MemberRole(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"
    PEER_RESEARCHER = "peer_researcher"
    YOUNG_INSPECTOR = "young_inspector"


MEMBER_ROLE_LABELS = {
    MemberRole.MEMBER: "Member",
    MemberRole.CHAIR: "Chair",
    MemberRole.PEER_RESEARCHER: "Peer researcher",
    MemberRole.YOUNG_INSPECTOR: "Young inspector",
}

CONTACT_PREFERENCES = {"sms": "Text message", "email": "Email", "none": "Do not send updates"}

PAYMENT_TYPES = {"voucher": "Voucher", "cash": "Cash", "bank": "Bank transfer"}


class ItemSource(StrEnum):
    THEME = "theme"
    FORUM = "forum"
    BOARD = "board"
    COMPLAINT = "complaint"
    FEEDBACK = "feedback"
    OTHER = "other"


SOURCE_LABELS = {
    ItemSource.THEME: "Survey theme",
    ItemSource.FORUM: "Forum meeting",
    ItemSource.BOARD: "Corporate parenting board",
    ItemSource.COMPLAINT: "Complaint",
    ItemSource.FEEDBACK: "Individual feedback",
    ItemSource.OTHER: "Other",
}


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"


STATUS_LABELS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.WONT_DO: "Won't do",
}


class ForumMember(Model):
    __tablename__ = "forum_member"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    preferred_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    contact_preference: so.Mapped[str] = so.mapped_column(sa.String(8), default="sms")
    date_of_birth: so.Mapped[date | None]
    roles: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    joined_on: so.Mapped[date] = so.mapped_column(default=today)
    left_on: so.Mapped[date | None]
    consent_contact: so.Mapped[bool] = so.mapped_column(default=False)
    consent_contact_on: so.Mapped[date | None]
    consent_photos: so.Mapped[bool] = so.mapped_column(default=False)
    consent_photos_on: so.Mapped[date | None]
    consent_quotes: so.Mapped[bool] = so.mapped_column(default=False)
    consent_quotes_on: so.Mapped[date | None]
    from_survey: so.Mapped[bool] = so.mapped_column(default=False)
    erased_on: so.Mapped[date | None]

    __table_args__ = (
        sa.CheckConstraint(
            "contact_preference IN ('sms','email','none')", name="contact_preference_known"
        ),
    )

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.name

    @property
    def is_current(self) -> bool:
        return self.left_on is None and self.erased_on is None


class ForumMeeting(Model):
    __tablename__ = "forum_meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    held_on: so.Mapped[date] = so.mapped_column(index=True)
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    online: so.Mapped[bool] = so.mapped_column(default=False)
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    attendance: so.Mapped[list[Attendance]] = so.relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class Attendance(Model):
    """A member ticked in a meeting's register, and what they were given for coming."""

    __tablename__ = "forum_attendance"
    __table_args__ = (
        sa.CheckConstraint("payment_pence >= 0", name="payment_not_negative"),
        sa.CheckConstraint(
            "payment_type IS NULL OR payment_type IN ('voucher','cash','bank')",
            name="payment_type_known",
        ),
    )

    meeting_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_meeting.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    payment_pence: so.Mapped[int] = so.mapped_column(default=0)
    payment_type: so.Mapped[str | None] = so.mapped_column(sa.String(10))

    meeting: so.Mapped[ForumMeeting] = so.relationship(back_populates="attendance")
    member: so.Mapped[ForumMember] = so.relationship()


class Plan(Model):
    """The service's New Belongings plan: one row (services.get_plan makes it on first use)."""

    __tablename__ = "plan"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    aims: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    lead: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    resources: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    timeline: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Written by staff for young people; shown on the public "you said, we did" page.
    public_summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")


class PlanObjective(Model):
    """An objective of the plan, what success will mean and the target that shows it."""

    __tablename__ = "plan_objective"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    success_measure: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    target: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    retired_on: so.Mapped[date | None]


class MilestoneStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.NOT_STARTED: "Not started",
    MilestoneStatus.IN_PROGRESS: "In progress",
    MilestoneStatus.ACHIEVED: "Achieved",
}


class Milestone(Model):
    """One of the 10 to 15 milestones of the service's New Belongings plan.

    Milestones are retired, never deleted, so actions linked to them and their history stay.
    Its RAG is worked out from its own dates and its linked actions (rag.milestone_rag).
    """

    __tablename__ = "plan_milestone"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('not_started','in_progress','achieved')", name="milestone_status_known"
        ),
        sa.CheckConstraint(
            "status <> 'achieved' OR achieved_on IS NOT NULL", name="achieved_has_date"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    due_on: so.Mapped[date | None]
    position: so.Mapped[int] = so.mapped_column(default=0)
    owner: so.Mapped[str] = so.mapped_column(sa.String(120), default="", server_default="")
    status: so.Mapped[str] = so.mapped_column(
        sa.String(12), default=MilestoneStatus.NOT_STARTED.value, server_default="not_started"
    )
    achieved_on: so.Mapped[date | None]
    retired_on: so.Mapped[date | None]
    retired_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    changes: so.Mapped[list[PlanChange]] = so.relationship(
        back_populates="milestone",
        order_by="(PlanChange.noted_on.desc(), PlanChange.id.desc())",
        cascade="all, delete-orphan",
    )

    @property
    def status_label(self) -> str:
        return MILESTONE_STATUS_LABELS[MilestoneStatus(self.status)]


class PlanChange(Model):
    """One dated line of the plan's history ("Due date changed from ... to ..."). Every change
    is also in the audit log; this is the history people read on the plan page."""

    __tablename__ = "plan_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    milestone_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("plan_milestone.id", ondelete="CASCADE"), index=True
    )
    noted_on: so.Mapped[date] = so.mapped_column(default=today)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    milestone: so.Mapped[Milestone | None] = so.relationship(back_populates="changes")
    by: so.Mapped[StaffUser | None] = so.relationship()


class YouSaid(Model):
    """Something young people said, in their words, and where it came from."""

    __tablename__ = "you_said_item"
    __table_args__ = (
        sa.CheckConstraint(
            "source IN ('theme','forum','board','complaint','feedback','other')",
            name="source_known",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    # The heading it goes under on the public page ("Money", "Housing"): a theme's name by
    # default, so items from forum meetings can sit beside the survey's themes.
    topic: so.Mapped[str] = so.mapped_column(sa.String(120))
    source: so.Mapped[str] = so.mapped_column(sa.String(10))
    theme_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    meeting_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("forum_meeting.id", ondelete="SET NULL"), index=True
    )
    quote_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("approved_quote.id", ondelete="SET NULL")
    )
    raised_on: so.Mapped[date] = so.mapped_column(default=today)
    published_on: so.Mapped[date | None]
    published_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    theme = so.relationship("Theme")
    meeting: so.Mapped[ForumMeeting | None] = so.relationship()
    quote = so.relationship("Quote")
    actions: so.Mapped[list[Action]] = so.relationship(
        back_populates="item", order_by="Action.id", cascade="all, delete-orphan"
    )

    @property
    def published(self) -> bool:
        return self.published_on is not None


class Action(Model):
    """What will be done about an item, by whom and when ("we did")."""

    __tablename__ = "ysyd_action"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('not_started','in_progress','done','wont_do')", name="status_known"
        ),
        sa.CheckConstraint(
            "rag_override IS NULL OR rag_override IN ('red','amber','green')",
            name="rag_override_known",
        ),
        sa.CheckConstraint(
            "rag_override IS NULL OR rag_override_reason <> ''", name="override_has_reason"
        ),
        sa.CheckConstraint("status <> 'wont_do' OR wont_do_reason <> ''", name="wont_do_reason"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("you_said_item.id", ondelete="CASCADE"), index=True
    )
    milestone_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("plan_milestone.id", ondelete="SET NULL"), index=True
    )
    what: so.Mapped[str] = so.mapped_column(sa.Text)
    owner_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    owner_team: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    due_on: so.Mapped[date | None] = so.mapped_column(index=True)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(12), default=ActionStatus.NOT_STARTED.value, index=True
    )
    wont_do_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    completed_on: so.Mapped[date | None]
    evidence_links: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    rag_override: so.Mapped[str | None] = so.mapped_column(sa.String(6))
    rag_override_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_on: so.Mapped[date] = so.mapped_column(default=today)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    item: so.Mapped[YouSaid] = so.relationship(back_populates="actions")
    milestone: so.Mapped[Milestone | None] = so.relationship()
    owner: so.Mapped[StaffUser | None] = so.relationship()
    updates: so.Mapped[list[ActionUpdate]] = so.relationship(
        back_populates="action",
        order_by="(ActionUpdate.noted_on.desc(), ActionUpdate.id.desc())",
        cascade="all, delete-orphan",
    )
    checks: so.Mapped[list[ForumCheck]] = so.relationship(
        back_populates="action", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_enum(self) -> ActionStatus:
        return ActionStatus(self.status)

    @property
    def owner_has_left(self) -> bool:
        """The owner's account is disabled: the action needs a new owner."""
        return self.owner is not None and not self.owner.is_enabled


class ActionUpdate(Model):
    """One dated entry in an action's progress history."""

    __tablename__ = "ysyd_action_update"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    action_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("ysyd_action.id", ondelete="CASCADE"), index=True
    )
    noted_on: so.Mapped[date] = so.mapped_column(default=today, index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(12))
    by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    action: so.Mapped[Action] = so.relationship(back_populates="updates")
    by: so.Mapped[StaffUser | None] = so.relationship()


class ForumCheck(Model):
    """The forum agrees an action is done: which member checked it, and when."""

    __tablename__ = "ysyd_forum_check"

    action_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("ysyd_action.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True
    )
    checked_on: so.Mapped[date] = so.mapped_column(default=today)

    action: so.Mapped[Action] = so.relationship(back_populates="checks")
    member: so.Mapped[ForumMember] = so.relationship()


class UpdateNotice(Model):
    """A short "here is what changed" message sent to people who asked to hear."""

    __tablename__ = "ysyd_update_notice"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    sent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    texts_queued: so.Mapped[int] = so.mapped_column(default=0)
    emails_sent: so.Mapped[int] = so.mapped_column(default=0)
    skipped: so.Mapped[int] = so.mapped_column(default=0)
    # The board's reply this update passed on, if it was about one (issue 23).
    board_reply_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("board_reply.id", ondelete="SET NULL"), index=True
    )


class BoardReply(Model):
    """The board's answer to something the forum asked, given at a board meeting.

    It lives here, beside "you said, we did", because the public page (this layer) shows it
    ("The board said..."). The board's meeting pages (app.board, above) record it through
    forum.services.record_board_reply; ``board_meeting_id`` names the meeting by its table, so
    nothing here imports the board's code.
    """

    __tablename__ = "board_reply"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_meeting_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("board_meeting.id", ondelete="CASCADE"), index=True
    )
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("you_said_item.id", ondelete="CASCADE"), index=True
    )
    heard_on: so.Mapped[date]
    ask: so.Mapped[str] = so.mapped_column(sa.Text)
    reply: so.Mapped[str] = so.mapped_column(sa.Text)
    decision: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    item: so.Mapped[YouSaid] = so.relationship()
