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


class Milestone(Model):
    """One of the 10 to 15 milestones of the service's New Belongings plan."""

    __tablename__ = "plan_milestone"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    due_on: so.Mapped[date | None]
    position: so.Mapped[int] = so.mapped_column(default=0)


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
