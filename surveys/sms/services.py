"""SMS survey channel rules shared by the webhook and the staff pages.

- ``invite`` texts an invitation through the messaging layer's queue and keeps an "invited"
  conversation for the number, so any reply starts the survey.
- ``expire`` ends idle conversations, deleting with them the only hash -> response link.
- Costs: a round's estimate is its cohort size times the segments of every question as we text
  it, and its actual figure is the sum over texts sent for it (queued texts and replies).
Numbers, hashes, opt-outs and the queue itself are app.messaging's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

from app.core.clock import utcnow
from app.core.extensions import db, scrub_deleted
from app.core.phones import normalise_number
from app.messaging.backends import SendError, get_notify
from app.messaging.encoding import segments
from app.messaging.keys import current_key_id, key_id_counts, rekey
from app.messaging.models import OptOut, OutboundMessage, UnreachableNumber
from app.messaging.services import (
    SENT_STATUSES,
    phone_hash,
    phone_hashes,
    queue_text,
    reply_totals,
)
from app.staff.authority.services import get_settings
from surveys.models import Question, RoundStatus, SurveyRound
from surveys.sms.conversation import closing_message, opening_message, question_message
from surveys.sms.models import InboundMessage, SmsConversation

log = logging.getLogger(__name__)

# --- Replies through GOV.UK Notify ---------------------------------------------------------


def reply_by_notify(to: str, text: str) -> None:
    """Send a conversation reply through Notify at once, keeping no copy of it.

    The answer that caused it is already saved, and a retried callback sends nothing, so a
    reply Notify refuses or cannot take now (429, 5xx) is lost rather than stored with the
    number for later: if the person texts again, the conversation carries on where it was.
    Logged without the number or the words."""
    try:
        get_notify().send(to, text)
    except SendError as exc:
        log.warning(
            "SMS reply through GOV.UK Notify not sent: %s (%s)", type(exc).__name__, exc.code
        )


# --- Invitations --------------------------------------------------------------------------


def invitation_text(survey_round: SurveyRound, authority_name: str) -> str:
    keyword = current_app.config["SMS_KEYWORD"]
    return (
        f"{authority_name}: we want to hear about leaving care. Answer a short anonymous survey "
        f"by text: reply {keyword} to start. Reply STOP to stop."
    )


def invite(to: str, survey_round: SurveyRound) -> OutboundMessage | None:
    """Text an invitation; any reply from that number then starts the survey for this round."""
    number = normalise_number(to)
    hashed = phone_hash(number)
    message = queue_text(
        number,
        invitation_text(survey_round, get_settings().name),
        round_id=survey_round.id,
        idempotency_key=f"invite:{survey_round.id}:{hashed}",
    )
    if message is None:
        return None
    conversation = db.session.scalar(
        sa.select(SmsConversation).where(SmsConversation.phone_hash.in_(phone_hashes(number)))
    )
    if conversation is None:
        db.session.add(SmsConversation(phone_hash=hashed, round_id=survey_round.id))
        try:
            db.session.commit()
        except IntegrityError:  # the person texted in at the same moment: theirs wins
            db.session.rollback()
    return message


# --- Rotating the phone-hash key (app/messaging/keys.py) -----------------------------------

# Every table that stores a phone number's HMAC; this is the highest layer that holds one.
PHONE_HASH_TABLES = (OptOut, UnreachableNumber, SmsConversation)


@dataclass(frozen=True)
class Rotation:
    moved: dict[str, int]  # rows moved onto the current key, by table
    left: dict[str, dict[str, int]]  # rows still under an old key: {table: {key id: rows}}


def rotate_key(numbers: set[str]) -> Rotation:
    """Move every stored hash of these numbers onto the current key, and say what is left.

    What is left (numbers we do not have, such as an opted-out number no longer on the
    contact list) is still checked under its old key, and moves when that number next texts."""
    moved = {model.__tablename__: rekey(model, numbers) for model in PHONE_HASH_TABLES}
    db.session.commit()
    current = current_key_id()
    left = {
        table: {key_id: n for key_id, n in per_key.items() if key_id != current}
        for table, per_key in key_id_counts(PHONE_HASH_TABLES).items()
    }
    return Rotation(moved=moved, left={table: n for table, n in left.items() if n})


# --- Expiry ------------------------------------------------------------------------------


def expire(now: datetime | None = None) -> tuple[int, int]:
    """Delete idle conversations (and with them the hash -> response link), and the inbound
    message ids older than SMS_INBOUND_REPLY_DAYS; then scrub them from the database files.
    Returns (conversations ended, message ids deleted)."""
    now = now or utcnow()
    idle = now - timedelta(days=current_app.config["SMS_CONVERSATION_IDLE_DAYS"])
    # A DELETE or UPDATE gives a CursorResult, which has rowcount; Session.execute says Result.
    ended = cast(
        "CursorResult[Any]",
        db.session.execute(
            sa.delete(SmsConversation).where(SmsConversation.last_activity_at < idle)
        ),
    ).rowcount
    closed_rounds = sa.select(SurveyRound.id).where(SurveyRound.status == RoundStatus.CLOSED)
    ended += cast(
        "CursorResult[Any]",
        db.session.execute(
            sa.delete(SmsConversation).where(SmsConversation.round_id.in_(closed_rounds))
        ),
    ).rowcount
    keep = now - timedelta(days=current_app.config["SMS_INBOUND_REPLY_DAYS"])
    cleared = cast(
        "CursorResult[Any]",
        # Deleted, not just emptied: a kept MessageSid says someone texted, and Twilio's retries
        # come within minutes, long before SMS_INBOUND_REPLY_DAYS.
        db.session.execute(sa.delete(InboundMessage).where(InboundMessage.received_at < keep)),
    ).rowcount
    db.session.commit()
    scrub_deleted("sms_conversation", "sms_inbound_message")
    return ended, cleared


# --- Cost and length -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionLength:
    question: Question
    text: str
    encoding: str
    segments: int

    @property
    def too_long(self) -> bool:
        return self.segments > 1


@dataclass(frozen=True)
class RoundCost:
    survey_round: SurveyRound
    segments_per_person: int
    estimated_segments: int | None
    actual_segments: int
    texts_sent: int
    price_pence: float
    questions: list[QuestionLength]

    @property
    def estimated_pounds(self) -> float | None:
        if self.estimated_segments is None:
            return None
        return self.estimated_segments * self.price_pence / 100

    @property
    def actual_pounds(self) -> float:
        return self.actual_segments * self.price_pence / 100

    @property
    def warnings(self) -> list[QuestionLength]:
        return [q for q in self.questions if q.too_long]


def question_lengths(survey_round: SurveyRound) -> list[QuestionLength]:
    items = list(survey_round.questions)
    lengths = []
    for number, question in enumerate(items, start=1):
        text = question_message(question, number, len(items))
        encoding, count = segments(text)
        lengths.append(QuestionLength(question, text, encoding, count))
    return lengths


def round_cost(survey_round: SurveyRound) -> RoundCost:
    """Estimated (cohort x the texts one person gets) and actual segments and cost."""
    lengths = question_lengths(survey_round)
    per_person = sum(q.segments for q in lengths)
    per_person += segments(opening_message(survey_round))[1]
    per_person += segments(closing_message())[1]
    actual_segments, texts = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(OutboundMessage.segments), 0), sa.func.count()
        ).where(
            OutboundMessage.round_id == survey_round.id,
            OutboundMessage.status.in_(SENT_STATUSES),
        )
    ).one()
    reply_texts, reply_segments = reply_totals(survey_round.id)
    cohort = survey_round.cohort_size
    return RoundCost(
        survey_round=survey_round,
        segments_per_person=per_person,
        estimated_segments=None if cohort is None else cohort * per_person,
        actual_segments=int(actual_segments) + reply_segments,
        texts_sent=int(texts) + reply_texts,
        price_pence=float(current_app.config["SMS_PRICE_PER_SEGMENT_PENCE"]),
        questions=lengths,
    )


def sms_rounds() -> list[SurveyRound]:
    """Rounds people can answer by text, newest first."""
    rows = db.session.scalars(
        sa.select(SurveyRound).order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
    )
    return [r for r in rows if "sms" in (r.channels or [])]
