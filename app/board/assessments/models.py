"""Tables for self-assessments.

Decisions a newcomer might undo:
- A round is one dated assessment of one framework; it always has two ``SelfAssessment`` rows,
  one for staff and one for young people (created with the round), so the two groups' answers
  are never mixed and "the previous one" is simply the same group in the round before.
- Young people's answers are the forum session's agreed answers, keyed in by the worker: the
  row holds scores, evidence and how many took part (a count), never who.
- ``version`` counts saves. A form carries the version it was opened at and a save is one
  conditional UPDATE on it (services.py), so an edit made from a stale page is refused rather
  than silently overwriting a colleague's; every save leaves an ``AssessmentEdit`` line.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today, utcnow
from app.core.extensions import Model
from app.staff.auth.models import StaffUser

DEFAULT_NOW_LABEL = "How well the council is doing now"
DEFAULT_IMPROVING_LABEL = "How well the council is improving"


class Respondents(StrEnum):
    STAFF = "staff"
    YOUNG_PEOPLE = "young_people"


RESPONDENT_LABELS = {Respondents.STAFF: "Staff", Respondents.YOUNG_PEOPLE: "Young people"}


class AssessmentRound(Model):
    __tablename__ = "self_assessment_round"
    __table_args__ = (
        sa.UniqueConstraint("framework", "held_on"),
        sa.CheckConstraint("rating_now BETWEEN 0 AND 10", name="rating_now_range"),
        sa.CheckConstraint("rating_improving BETWEEN 0 AND 10", name="rating_improving_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    held_on: so.Mapped[date]
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # The critical friend's view of the round: two 0-10 ratings, each with a comment. The
    # labels are kept with the round, so a council may reword them.
    friend: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    rating_now: so.Mapped[int | None]
    rating_now_label: so.Mapped[str] = so.mapped_column(sa.String(160), default=DEFAULT_NOW_LABEL)
    comment_now: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    rating_improving: so.Mapped[int | None]
    rating_improving_label: so.Mapped[str] = so.mapped_column(
        sa.String(160), default=DEFAULT_IMPROVING_LABEL
    )
    comment_improving: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    friend_version: so.Mapped[int] = so.mapped_column(default=0)

    assessments: so.Mapped[list[SelfAssessment]] = so.relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="SelfAssessment.id"
    )
    edits: so.Mapped[list[AssessmentEdit]] = so.relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="AssessmentEdit.id.desc()",
    )


class SelfAssessment(Model):
    """One group's answers (staff, or young people) in one round."""

    __tablename__ = "self_assessment"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "respondents"),
        sa.CheckConstraint("respondents IN ('staff','young_people')", name="respondents_known"),
        sa.CheckConstraint("people IS NULL OR people >= 0", name="people_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("self_assessment_round.id", ondelete="CASCADE"), index=True
    )
    respondents: so.Mapped[str] = so.mapped_column(sa.String(12))
    people: so.Mapped[int | None]  # how many took part: a count, never who
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version: so.Mapped[int] = so.mapped_column(default=0)

    round: so.Mapped[AssessmentRound] = so.relationship(back_populates="assessments")
    answers: so.Mapped[list[AssessmentAnswer]] = so.relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentAnswer.id"
    )


class AssessmentAnswer(Model):
    __tablename__ = "self_assessment_answer"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "statement"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("self_assessment.id", ondelete="CASCADE"), index=True
    )
    statement: so.Mapped[str] = so.mapped_column(sa.String(60))
    score: so.Mapped[int | None]
    evidence: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)

    assessment: so.Mapped[SelfAssessment] = so.relationship(back_populates="answers")


class AssessmentEdit(Model):
    """One line of a round's history ("Staff answers saved (version 2): 3 scores changed")."""

    __tablename__ = "self_assessment_edit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("self_assessment_round.id", ondelete="CASCADE"), index=True
    )
    saved_on: so.Mapped[date] = so.mapped_column(default=today)
    saved_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    round: so.Mapped[AssessmentRound] = so.relationship(back_populates="edits")
    by: so.Mapped[StaffUser | None] = so.relationship()
