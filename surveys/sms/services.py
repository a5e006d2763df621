"""SMS channel rules shared by the webhook, the worker and the staff pages.

- Phone numbers are normalised to E.164 (UK by default) and turned into ``phone_hash``: an
  HMAC-SHA256 with SMS_HMAC_KEY, or, when that is unset (development, tests), a key derived from
  SECRET_KEY. Changing the key orphans conversations and opt-outs, so production sets it.
- ``queue_text`` is the one way the system starts a text. It refuses numbers that opted out or
  were marked unreachable (nothing is stored for them), and an ``idempotency_key`` makes queueing
  the same invitation twice store one message (a database constraint, not a check).
- Costs: each text's encoding and segment count are worked out when it is queued; a round's
  estimate is its cohort size times the segments of every question as we text it, and its
  actual figure is the sum over texts sent for it (queued texts and conversation replies).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth.models import utcnow
from app.extensions import db
from surveys.models import Question, RoundStatus, SurveyRound
from surveys.sms.encoding import segments
from surveys.sms.models import (
    InboundMessage,
    OptOut,
    OutboundMessage,
    OutboundStatus,
    SmsConversation,
    UnreachableNumber,
)

SENT_STATUSES = (OutboundStatus.SENT.value, OutboundStatus.DELIVERED.value)


class NumberInvalid(ValueError):
    """Not a phone number we can text."""


# --- Numbers and their hashes -------------------------------------------------------------


def normalise_number(raw: str, region: str = "GB") -> str:
    """'07700 900123' -> '+447700900123'; raise NumberInvalid if it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse((raw or "")[:40], region)
    except phonenumbers.NumberParseException:
        raise NumberInvalid("Enter a mobile number, like 07700 900 123") from None
    if not phonenumbers.is_possible_number(parsed):
        raise NumberInvalid("Enter a mobile number, like 07700 900 123")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _hmac_key() -> bytes:
    key = current_app.config.get("SMS_HMAC_KEY")
    if key:
        return key.encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"belonging sms phone hash", hashlib.sha256).digest()


def phone_hash(number: str) -> str:
    """The conversation key for a number: never the number itself."""
    try:
        canonical = normalise_number(number)
    except NumberInvalid:
        canonical = (number or "").strip()  # short codes and test senders: hash as given
    return hmac.new(_hmac_key(), canonical.encode(), hashlib.sha256).hexdigest()


def masked(number: str | None) -> str:
    """What staff see of a number: the last three digits."""
    return f"•••• {number[-3:]}" if number else "reply in a conversation"


# --- Opt-outs and numbers that cannot be reached -------------------------------------------


def opt_out(hashed: str, source: str = "sms") -> None:
    """Record an opt-out (idempotent) and cancel anything still queued for the number."""
    if db.session.scalar(sa.select(OptOut.id).where(OptOut.phone_hash == hashed)) is None:
        db.session.add(OptOut(phone_hash=hashed, source=source))
    _cancel_queued(hashed, "opted_out")


def opt_in(hashed: str) -> None:
    db.session.execute(sa.delete(OptOut).where(OptOut.phone_hash == hashed))


def mark_unreachable(hashed: str, error_code: str) -> None:
    if (
        db.session.scalar(
            sa.select(UnreachableNumber.id).where(UnreachableNumber.phone_hash == hashed)
        )
        is None
    ):
        db.session.add(UnreachableNumber(phone_hash=hashed, error_code=str(error_code)[:16]))
    _cancel_queued(hashed, "unreachable")


def blocked_reason(hashed: str) -> str | None:
    """Why a number must not be texted ('opted_out', 'unreachable'), or None."""
    return blocked_hashes({hashed}).get(hashed)


def blocked_hashes(hashes: set[str]) -> dict[str, str]:
    """For many numbers at once: {hash: 'opted_out' or 'unreachable'} for those not to text."""
    if not hashes:
        return {}
    rows = db.session.execute(
        sa.union_all(
            sa.select(UnreachableNumber.phone_hash, sa.literal("unreachable")).where(
                UnreachableNumber.phone_hash.in_(hashes)
            ),
            sa.select(OptOut.phone_hash, sa.literal("opted_out")).where(
                OptOut.phone_hash.in_(hashes)
            ),
        )
    )
    blocked: dict[str, str] = {}
    for hashed, reason in rows:
        if blocked.get(hashed) != "opted_out":  # an opt-out is the reason to report
            blocked[hashed] = reason
    return blocked


def _cancel_queued(hashed: str, reason: str) -> None:
    queued = db.session.scalars(
        sa.select(OutboundMessage).where(
            OutboundMessage.status == OutboundStatus.QUEUED.value,
            OutboundMessage.to_number.is_not(None),
        )
    )
    for message in queued:
        if phone_hash(message.to_number) == hashed:
            message.status, message.error_code = OutboundStatus.CANCELLED.value, reason


# --- The outbound queue ------------------------------------------------------------------


def queue_text(
    to: str,
    body: str,
    *,
    round_id: int | None = None,
    idempotency_key: str | None = None,
    is_conversation_reply: bool = False,
    not_before: datetime | None = None,
) -> OutboundMessage | None:
    """Queue a text for the worker; None (and nothing stored) if the number must not be texted."""
    number = normalise_number(to)
    if blocked_reason(phone_hash(number)):
        return None
    if idempotency_key:
        existing = _by_key(idempotency_key)
        if existing is not None:
            return existing
    encoding, count = segments(body)
    message = OutboundMessage(
        to_number=number,
        body=body,
        encoding=encoding,
        segments=count,
        round_id=round_id,
        idempotency_key=idempotency_key,
        is_conversation_reply=is_conversation_reply,
        next_attempt_at=not_before or utcnow(),
    )
    db.session.add(message)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _by_key(idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing
    return message


def _by_key(key: str) -> OutboundMessage | None:
    return db.session.scalar(
        sa.select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
    )


def record_reply(body: str, round_id: int | None) -> OutboundMessage:
    """A conversation reply sent in the webhook's TwiML: kept for cost and status, no number."""
    encoding, count = segments(body)
    message = OutboundMessage(
        to_number=None,
        body=body,
        encoding=encoding,
        segments=count,
        status=OutboundStatus.SENT.value,
        round_id=round_id,
        is_conversation_reply=True,
        sent_at=utcnow(),
    )
    db.session.add(message)
    return message


# --- Invitations --------------------------------------------------------------------------


def invitation_text(survey_round: SurveyRound, authority_name: str) -> str:
    keyword = current_app.config["SMS_KEYWORD"]
    return (
        f"{authority_name}: we want to hear about leaving care. Answer a short anonymous survey "
        f"by text: reply {keyword} to start. Reply STOP to stop."
    )


def invite(to: str, survey_round: SurveyRound) -> OutboundMessage | None:
    """Text an invitation; any reply from that number then starts the survey for this round."""
    from app.authority.services import get_settings

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
        sa.select(SmsConversation).where(SmsConversation.phone_hash == hashed)
    )
    if conversation is None:
        db.session.add(SmsConversation(phone_hash=hashed, round_id=survey_round.id))
        try:
            db.session.commit()
        except IntegrityError:  # the person texted in at the same moment: theirs wins
            db.session.rollback()
    return message


# --- Expiry ------------------------------------------------------------------------------


def expire(now: datetime | None = None) -> tuple[int, int]:
    """Delete idle conversations (and with them the hash -> response link), and clear kept
    replies older than SMS_INBOUND_REPLY_DAYS. Returns (conversations ended, replies cleared)."""
    now = now or utcnow()
    idle = now - timedelta(days=current_app.config["SMS_CONVERSATION_IDLE_DAYS"])
    ended = db.session.execute(
        sa.delete(SmsConversation).where(SmsConversation.last_activity_at < idle)
    ).rowcount
    closed_rounds = sa.select(SurveyRound.id).where(SurveyRound.status == RoundStatus.CLOSED)
    ended += db.session.execute(
        sa.delete(SmsConversation).where(SmsConversation.round_id.in_(closed_rounds))
    ).rowcount
    keep = now - timedelta(days=current_app.config["SMS_INBOUND_REPLY_DAYS"])
    cleared = db.session.execute(
        sa.update(InboundMessage)
        .where(InboundMessage.received_at < keep, InboundMessage.reply_twiml.is_not(None))
        .values(reply_twiml="")
    ).rowcount
    db.session.commit()
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
    from surveys.sms.conversation import question_message

    items = list(survey_round.questionnaire.questions)
    lengths = []
    for number, question in enumerate(items, start=1):
        text = question_message(question, number, len(items))
        encoding, count = segments(text)
        lengths.append(QuestionLength(question, text, encoding, count))
    return lengths


def round_cost(survey_round: SurveyRound) -> RoundCost:
    """Estimated (cohort x the texts one person gets) and actual segments and cost."""
    from surveys.sms.conversation import closing_message, opening_message

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
    cohort = survey_round.cohort_size
    return RoundCost(
        survey_round=survey_round,
        segments_per_person=per_person,
        estimated_segments=None if cohort is None else cohort * per_person,
        actual_segments=int(actual_segments),
        texts_sent=int(texts),
        price_pence=float(current_app.config["SMS_PRICE_PER_SEGMENT_PENCE"]),
        questions=lengths,
    )


def sms_rounds() -> list[SurveyRound]:
    """Rounds people can answer by text, newest first."""
    rows = db.session.scalars(
        sa.select(SurveyRound).order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
    )
    return [r for r in rows if "sms" in (r.channels or [])]


def recent_outbound(limit: int = 100) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(limit)
        )
    )


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
    )
    return {status: count for status, count in rows}


# --- Delivery receipts (status callbacks) ---------------------------------------------------

# Later states win; a late "sent" never overwrites "delivered".
STATUS_ORDER = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}
CALLBACK_STATUSES = {"sent", "delivered", "undelivered", "failed"}


def record_status(
    *, ref: str | None, message_sid: str, status: str, error_code: str, to: str
) -> OutboundMessage | None:
    """Record a delivery status for one of our texts (idempotent, never moves backwards)."""
    from surveys.sms.backends import UNREACHABLE_CODES

    status = (status or "").lower()
    message = None
    if ref and ref.isdigit():
        message = db.session.get(OutboundMessage, int(ref))
    if message is None and message_sid:
        message = db.session.scalar(
            sa.select(OutboundMessage).where(OutboundMessage.provider_sid == message_sid)
        )
    failed = status in ("undelivered", "failed")
    if failed and to and error_code.isdigit() and int(error_code) in UNREACHABLE_CODES:
        mark_unreachable(phone_hash(to), error_code)
    if message is not None and status in CALLBACK_STATUSES:
        if STATUS_ORDER[status] >= STATUS_ORDER.get(message.status, 0):
            message.status = status
            message.status_at = utcnow()
            if error_code:
                message.error_code = error_code[:16]
        if message.provider_sid is None and message_sid:
            message.provider_sid = message_sid[:64]
    db.session.commit()
    return message
