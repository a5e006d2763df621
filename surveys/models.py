"""Questionnaires, survey rounds, responses and answers.

Anonymity is a property of this schema (see ARCHITECTURE.md), and tests/surveys/test_anonymity.py
inspects it so that a later change that breaks it fails:
- A Response has no foreign key or column that leads to a contact, invitation, phone number,
  message, IP address or user agent. It carries no date or time at all: the responses-over-time
  charts read RoundTally, a count of complete responses at the end of each day written by a
  daily job, so no single response has a date to pair with an invitation's or a message's.
- A date of birth is turned into an age in years when it is answered; the date is never stored.
- Responses and answers have random keys (app.core.extensions.random_key), never counters, so
  their order says nothing about the order people answered in.
- ContactRequest (forum interest, "tell me what changed") is not linked to any response. Its key
  is a random UUID, not a counter, and it has no timestamp, so its order cannot be matched to
  the order responses were completed. The thank-you page never writes one: it seals a
  PendingSignUp, and a daily job writes the ContactRequests in shuffled batches
  (surveys/web/sign_ups.py), so no sign-up sits next to its respondent's writes.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today
from app.core.extensions import Model, RandomKey, random_key, scrubbed


class QuestionKind(StrEnum):
    DATE_OF_BIRTH = "date_of_birth"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    SHORT_ITEMS = "short_items"
    LONG_TEXT = "long_text"
    YES_NO_UNSURE = "yes_no_unsure"
    SCALE = "scale"


class Channel(StrEnum):
    WEB = "web"
    SMS = "sms"
    PAPER = "paper"
    PHONE = "phone"
    FACE_TO_FACE = "face_to_face"
    GROUP = "group"
    IMPORT = "import"


CHANNEL_LABELS = {
    Channel.WEB: "Online",
    Channel.SMS: "Text message",
    Channel.PAPER: "Paper",
    Channel.PHONE: "Phone interview",
    Channel.FACE_TO_FACE: "Face to face (PA review)",
    Channel.GROUP: "Group session",
    Channel.IMPORT: "Imported",
}


class Questionnaire(Model):
    """One version of a questionnaire. Locked once a round has used it, so results always say
    which wording people saw; changes go into a new draft version copied from it."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        sa.UniqueConstraint("key", "version"),
        sa.CheckConstraint("status IN ('draft','locked')", name="status_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    version: so.Mapped[int] = so.mapped_column(default=1)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    introduction: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    closing: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    acknowledgement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    based_on_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("questionnaire.id"))

    questions: so.Mapped[list[Question]] = so.relationship(
        back_populates="questionnaire", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def is_locked(self) -> bool:
        return self.status == "locked"

    @property
    def label(self) -> str:
        return f"{self.title} (version {self.version})"


class Question(Model):
    __tablename__ = "question"
    __table_args__ = (
        sa.UniqueConstraint("questionnaire_id", "code"),
        sa.CheckConstraint(
            "kind IN ('date_of_birth','single_choice','multi_choice','short_items','long_text',"
            "'yes_no_unsure','scale')",
            name="kind_known",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    questionnaire_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    code: so.Mapped[str] = so.mapped_column(sa.String(16))  # "Q4": kept from the paper form
    section: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    web_text: so.Mapped[str] = so.mapped_column(sa.Text)
    hint: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    sms_text: so.Mapped[str] = so.mapped_column(sa.String(480), default="")
    paper_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Choices: [{"value": "1", "label": "...", "other": false}, ...]; "other" asks to describe.
    options: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    max_items: so.Mapped[int] = so.mapped_column(default=3)  # for short_items
    scale_min_label: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    scale_max_label: so.Mapped[str] = so.mapped_column(sa.String(60), default="")

    questionnaire: so.Mapped[Questionnaire] = so.relationship(back_populates="questions")

    @property
    def kind_enum(self) -> QuestionKind:
        return QuestionKind(self.kind)

    @property
    def is_free_text(self) -> bool:
        return self.kind in (QuestionKind.SHORT_ITEMS, QuestionKind.LONG_TEXT) or any(
            o.get("other") for o in self.options or []
        )

    def option_label(self, value: str) -> str:
        for option in self.options or []:
            if option["value"] == value:
                return option["label"]
        return value


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SurveyRound(Model):
    """A survey round: one questionnaire version asked of care leavers between two dates."""

    __tablename__ = "survey_round"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft','open','closed')", name="status_known"),
        sa.CheckConstraint("target_rate BETWEEN 1 AND 100", name="target_rate_percent"),
        sa.CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    slug: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    questionnaire_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questionnaire.id"))
    opens_on: so.Mapped[date]
    closes_on: so.Mapped[date]
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=RoundStatus.DRAFT.value)
    target_rate: so.Mapped[int] = so.mapped_column(default=30)
    cohort_size: so.Mapped[int | None]  # staff's estimate, used only without a contact list
    # Eligible care leavers on the contact list when the round opened: the response rate's
    # denominator, recorded once (surveys/response_rate.py) so later changes do not move it.
    eligible_at_opening: so.Mapped[int | None]
    channels: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=lambda: ["web"])
    # The personal well-being module (ONS4, surveys/wellbeing.py), asked after the questionnaire
    # when the round includes it: a shipped, locked module questionnaire of its own.
    wellbeing_module_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("questionnaire.id"))

    questionnaire: so.Mapped[Questionnaire] = so.relationship(foreign_keys=[questionnaire_id])
    wellbeing_module: so.Mapped[Questionnaire | None] = so.relationship(
        foreign_keys=[wellbeing_module_id]
    )

    @property
    def questions(self) -> list[Question]:
        """Every question this round asks, in order: its questionnaire's, then the module's."""
        module = self.wellbeing_module
        return [*self.questionnaire.questions, *(module.questions if module else [])]

    @property
    def includes_wellbeing(self) -> bool:
        return self.wellbeing_module_id is not None

    @property
    def questionnaire_ids(self) -> tuple[int, ...]:
        """The questionnaires whose questions this round asks."""
        if self.wellbeing_module_id is None:
            return (self.questionnaire_id,)
        return (self.questionnaire_id, self.wellbeing_module_id)

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN and self.opens_on <= today() <= self.closes_on

    @property
    def has_closed(self) -> bool:
        """Closed by staff or past its closing day: nobody can answer any more."""
        return self.status == RoundStatus.CLOSED or self.closes_on < today()


class Response(Model):
    """One person's answers. Deliberately holds nothing that could lead back to them."""

    __tablename__ = "response"
    __table_args__ = (
        sa.CheckConstraint("status IN ('in_progress','complete')", name="status_known"),
        sa.CheckConstraint(
            "channel IN ('web','sms','paper','phone','face_to_face','group','import')",
            name="channel_known",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(
        RandomKey, primary_key=True, autoincrement=False, default=random_key
    )
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("survey_round.id"), index=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    assisted: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="in_progress")
    # A hash of the resume code (web) held only while the response is in progress.
    resume_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    round: so.Mapped[SurveyRound] = so.relationship()
    answers: so.Mapped[list[Answer]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"


class Answer(Model):
    """One answer, stored exactly once per question and response (a database constraint).

    ``value`` by kind: date_of_birth {"age": 19}; single_choice {"choice": "6", "other": "..."};
    multi_choice {"choices": [...], "other": "..."}; short_items {"items": [...]};
    long_text {"text": "..."}; yes_no_unsure {"choice": "yes"}; scale {"score": 7}.
    A skipped question is stored with ``skipped`` true and no value.
    """

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)

    id: so.Mapped[int] = so.mapped_column(
        RandomKey, primary_key=True, autoincrement=False, default=random_key
    )
    response_id: so.Mapped[int] = so.mapped_column(
        RandomKey, sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question.id"), index=True)
    skipped: so.Mapped[bool] = so.mapped_column(default=False)
    value: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)

    response: so.Mapped[Response] = so.relationship(back_populates="answers")
    question: so.Mapped[Question] = so.relationship()


class ContactRequest(Model):
    """Someone who asked to join the forum or to hear what changed. Kept apart from answers."""

    __tablename__ = "contact_request"
    __table_args__ = (sa.CheckConstraint("kind IN ('forum','updates')", name="kind_known"),)

    id: so.Mapped[str] = so.mapped_column(
        sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4())
    )
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("survey_round.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    consent: so.Mapped[bool] = so.mapped_column(default=False)
    handled: so.Mapped[bool] = so.mapped_column(default=False)


@scrubbed
class PendingSignUp(Model):
    """A sign-up from the thank-you page, sealed until the daily batch (surveys/web/sign_ups.py).

    A random key and the sealed box (``"key id.box"``, padded to one length): the round, the
    kind and the contact details are inside it, and there is nothing else, so a copy of the
    database cannot read who signed up or for which round. Deleted once applied.
    """

    __tablename__ = "pending_sign_up"

    id: so.Mapped[str] = so.mapped_column(
        sa.String(32), primary_key=True, default=lambda: secrets.token_hex(16)
    )
    sealed: so.Mapped[str] = so.mapped_column(sa.Text)


class RoundTally(Model):
    """How many responses to a round were complete at the end of a day (surveys/rounds/tallies).

    Written by a daily job, never in a respondent's transaction, so a tally row says when the
    round's total changed but not which response made it change: the charts of responses over
    time come from here, and responses themselves carry no date.
    """

    __tablename__ = "round_tally"
    __table_args__ = (sa.UniqueConstraint("round_id", "on"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    on: so.Mapped[date]
    complete: so.Mapped[int]


@scrubbed
class CompletionNotice(Model):
    """A sealed "someone finished" for the personal side (surveys/completion.py).

    A random key, the id of the key it was sealed with, and the sealed box: no round, no
    response, no time, so nothing here pairs with a response. Deleted once applied.
    """

    __tablename__ = "completion_notice"

    id: so.Mapped[str] = so.mapped_column(
        sa.String(32), primary_key=True, default=lambda: secrets.token_hex(16)
    )
    key_id: so.Mapped[str] = so.mapped_column(sa.String(16))
    sealed: so.Mapped[str] = so.mapped_column(sa.Text)
