"""Safeguarding: the admin-editable screening list and the flags raised for the lead.

A flag points at the anonymous answer that raised it, never at a person. It carries the date it
was raised, not the time, for the same reason responses do. A text that discloses a risk from a
number in no survey conversation (a first text, one sent after finishing) has no answer: its
flag keeps only the words, the date, and the round the text was about, if any.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today, utcnow
from app.core.extensions import Model, RandomKey, scrubbed
from surveys.models import Answer, SurveyRound


class ScreeningRule(Model):
    __tablename__ = "screening_rule"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('phrase','pattern','example')", name="kind_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(40))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    # Patterns that cancel a match ("kill time"), one per line.
    exclude: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    enabled: so.Mapped[bool] = so.mapped_column(default=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class FlagStatus(StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"
    ACTION_TAKEN = "action_taken"
    NO_CONCERN = "no_concern"


FLAG_STATUS_LABELS = {
    FlagStatus.NEW: "New",
    FlagStatus.REVIEWED: "Reviewed",
    FlagStatus.ACTION_TAKEN: "Action taken",
    FlagStatus.NO_CONCERN: "No concern",
}


@scrubbed
class SafeguardingFlag(Model):
    __tablename__ = "safeguarding_flag"
    __table_args__ = (
        sa.UniqueConstraint("answer_id"),
        sa.CheckConstraint(
            "status IN ('new','reviewed','action_taken','no_concern')", name="status_known"
        ),
        sa.CheckConstraint("level IN ('likely','possible')", name="level_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Both empty for a text outside a survey conversation (then ``said`` holds its words).
    round_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("survey_round.id"), index=True)
    answer_id: so.Mapped[int | None] = so.mapped_column(
        RandomKey, sa.ForeignKey("answer.id", ondelete="SET NULL")
    )
    rules: so.Mapped[str] = so.mapped_column(sa.String(500))  # rule keys joined by |
    categories: so.Mapped[str] = so.mapped_column(sa.String(300))
    # "likely" or "possible", and which layers raised it ("rules|fuzzy"), so the lead and the
    # admin can see what to tune; ``rules`` holds the rule and example keys.
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default="likely")
    layers: so.Mapped[str] = so.mapped_column(sa.String(60), default="rules")
    # Set when the deputy was emailed because nobody reviewed the flag in time.
    escalated: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=FlagStatus.NEW.value)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Words texted beside an answer that keeps none (a date of birth, a yes or no, a number),
    # which the answer cannot show the lead: "no. he hits me" at the yes/no question.
    said: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Where the words came from: an answer, or one of the ways words reach the lead with no
    # answer to keep them (FLAG_ORIGINS).
    origin: so.Mapped[str] = so.mapped_column(
        sa.String(10), default="answer", server_default="answer"
    )
    raised_on: so.Mapped[date] = so.mapped_column(default=today)
    reviewed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("staff_user.id"))

    round: so.Mapped[SurveyRound | None] = so.relationship()
    answer: so.Mapped[Answer | None] = so.relationship()

    @property
    def where(self) -> str:
        """Where the words were said, for the lead's list and email: the round, or the way
        they came without an answer (and the round, if there was one)."""
        if self.answer_id is None:
            label = FLAG_ORIGINS.get(self.origin, FLAG_ORIGINS["text"])
            return label + (f" ({self.round.name})" if self.round is not None else "")
        assert self.round is not None  # an answer's flag always has its round
        return self.round.name

    @property
    def said_by_text(self) -> bool:
        """Whether ``said`` was texted (else typed on the web or keyed from paper)."""
        if self.answer is None:
            return self.origin == "text"
        return self.answer.response.channel == "sms"


# The ways words reach the lead with no answer to keep them.
FLAG_ORIGINS = {
    "text": "A text outside a survey",
    "closed": "Sent as the survey closed",
    "voided": "A voided paper form",
    "keyed": "A paper form keyed once, not yet checked",
    "signup": "Typed as a name to keep in touch",
    "refused": "A paper form that could not be keyed",
    "answer": "A survey answer since deleted",
}
