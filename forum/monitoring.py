"""Forum members' own monitoring of each action, recorded at a forum meeting (issue 23).

Southwark's feedback form asks the forum two things about each action: did it happen (yes,
partly, no, don't know) and how satisfied are you (a plain five-point scale), with comments. A
participation worker records the forum's answer at the meeting; it is shown beside the staff's
red/amber/green rating on the action and tracker pages and in the board pack's actions.

Decisions a newcomer might undo:
- One answer per action per forum meeting (a database constraint): recording it again at the
  same meeting corrects it; a later meeting adds a new answer, so change over time shows.
- It is the forum's view, not a rating of the action: it never changes the RAG (forum/rag.py).
- No member is named: the answer is the meeting's, so nothing here is personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.extensions import Model, db
from app.core.text import clean_text
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from forum.models import Action, ForumMeeting

HAPPENED = {"yes": "Yes", "partly": "Partly", "no": "No", "dont_know": "Don't know"}
SATISFACTION = {
    1: "Very unhappy",
    2: "Unhappy",
    3: "Neither happy nor unhappy",
    4: "Happy",
    5: "Very happy",
}


class MonitoringError(Exception):
    """The answer cannot be recorded; the message says how to fix it."""


class ActionReview(Model):
    """What the forum said about one action at one of its meetings."""

    __tablename__ = "forum_action_review"
    __table_args__ = (
        sa.UniqueConstraint("action_id", "forum_meeting_id"),
        sa.CheckConstraint("happened IN ('yes','partly','no','dont_know')", name="happened_known"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_scale"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    action_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("ysyd_action.id", ondelete="CASCADE")
    )
    forum_meeting_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_meeting.id", ondelete="CASCADE")
    )
    happened: so.Mapped[str] = so.mapped_column(sa.String(10))
    satisfaction: so.Mapped[int | None]
    comments: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    action: so.Mapped[Action] = so.relationship()
    meeting: so.Mapped[ForumMeeting] = so.relationship()

    @property
    def held_on(self) -> date:
        return self.meeting.held_on

    @property
    def happened_label(self) -> str:
        return HAPPENED[self.happened]

    @property
    def satisfaction_label(self) -> str:
        if self.satisfaction is None:
            return "Not asked"
        return f"{SATISFACTION[self.satisfaction]} ({self.satisfaction} out of 5)"

    @property
    def summary(self) -> str:
        """One line for tables: "Partly; Unhappy (2 out of 5)"."""
        return f"{self.happened_label}; {self.satisfaction_label}"


@dataclass(frozen=True)
class ReviewValues:
    action_id: int
    happened: str
    satisfaction: int | None
    comments: str


def record_review(meeting: ForumMeeting, values: ReviewValues, actor: StaffUser) -> ActionReview:
    """Record (or correct) what the forum said about an action at this meeting."""
    action = db.session.get(Action, values.action_id)
    if action is None:
        raise MonitoringError("Choose the action the forum talked about")
    if values.happened not in HAPPENED:
        raise MonitoringError("Say whether the forum thinks it happened")
    if values.satisfaction is not None and values.satisfaction not in SATISFACTION:
        raise MonitoringError("Choose how satisfied the forum is, from 1 to 5")
    review = db.session.scalar(
        sa.select(ActionReview).where(
            ActionReview.action_id == action.id, ActionReview.forum_meeting_id == meeting.id
        )
    )
    if review is None:
        review = ActionReview(action_id=action.id, forum_meeting_id=meeting.id)
        db.session.add(review)
    review.happened = values.happened
    review.satisfaction = values.satisfaction
    review.comments = clean_text(values.comments or "")
    review.recorded_by_id = actor.id
    db.session.flush()
    record("ysyd.action.forum_review", action, detail=review.summary, actor=actor)
    db.session.commit()
    return review


def reviews_for(action: Action) -> list[ActionReview]:
    """Every answer the forum gave about this action, newest meeting first."""
    return list(
        db.session.scalars(
            sa.select(ActionReview)
            .join(ForumMeeting)
            .where(ActionReview.action_id == action.id)
            .order_by(ForumMeeting.held_on.desc(), ActionReview.id.desc())
        )
    )


def reviews_at(meeting: ForumMeeting) -> list[ActionReview]:
    return list(
        db.session.scalars(
            sa.select(ActionReview)
            .where(ActionReview.forum_meeting_id == meeting.id)
            .order_by(ActionReview.id)
        )
    )


def latest_reviews(action_ids: list[int] | None = None) -> dict[int, ActionReview]:
    """The forum's latest answer about each action (all actions when ``action_ids`` is None)."""
    query = (
        sa.select(ActionReview)
        .join(ForumMeeting)
        .order_by(ForumMeeting.held_on, ActionReview.id)
        .options(so.contains_eager(ActionReview.meeting))
    )
    if action_ids is not None:
        if not action_ids:
            return {}
        query = query.where(ActionReview.action_id.in_(action_ids))
    return {review.action_id: review for review in db.session.scalars(query)}
