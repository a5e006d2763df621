"""Sending texts, without knowing what they are about: numbers' hashes, opt-outs, the queue.

- A phone number is turned into ``phone_hash``: an HMAC-SHA256 of its E.164 form with
  SMS_HMAC_KEY, or, when that is unset (development, tests), a key derived from SECRET_KEY.
  Changing the key orphans conversations and opt-outs, so production sets it.
- ``queue_text`` is the one way the system starts a text. It refuses numbers that opted out or
  were marked unreachable (nothing is stored for them), and an ``idempotency_key`` makes queueing
  the same text twice store one message (a database constraint, not a check).
- Delivery receipts (``record_status``) move a text's status forwards only, and mark numbers the
  network says cannot get texts.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.clock import utcnow
from app.core.extensions import db
from app.core.phones import NumberInvalid, normalise_number
from app.messaging.backends import UNREACHABLE_CODES
from app.messaging.encoding import segments
from app.messaging.models import (
    OptOut,
    OutboundMessage,
    OutboundStatus,
    ReplyTally,
    UnreachableNumber,
)

SENT_STATUSES = (OutboundStatus.SENT.value, OutboundStatus.DELIVERED.value)

# --- Numbers and their hashes -------------------------------------------------------------


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


def opt_out(hashed: str, source: str = "sms") -> bool:
    """Record an opt-out (idempotent) and cancel anything still queued for the number.

    True if the number had not opted out before (so a confirmation is owed)."""
    new = db.session.scalar(sa.select(OptOut.id).where(OptOut.phone_hash == hashed)) is None
    if new:
        db.session.add(OptOut(phone_hash=hashed, source=source))
    _cancel_queued(hashed, "opted_out")
    return new


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
        if message.to_number is not None and phone_hash(message.to_number) == hashed:
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


def record_reply(body: str, round_id: int | None) -> None:
    """A conversation reply sent in the webhook's TwiML: counted for cost, never kept (no words,
    no time, no row of its own: see ReplyTally)."""
    count = segments(body)[1]
    tally = db.session.scalar(sa.select(ReplyTally).where(ReplyTally.round_id == round_id))
    if tally is None:
        tally = ReplyTally(round_id=round_id, texts=0, segments=0)
        db.session.add(tally)
    tally.texts += 1
    tally.segments += count


def reply_totals(round_id: int) -> tuple[int, int]:
    """(texts, segments) the round's conversations have sent as replies."""
    tally = db.session.scalar(sa.select(ReplyTally).where(ReplyTally.round_id == round_id))
    return (tally.texts, tally.segments) if tally else (0, 0)


def recent_outbound(limit: int = 100) -> list[OutboundMessage]:
    """What staff sent (invitations, reminders, updates): never a survey conversation's texts."""
    return list(
        db.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.is_conversation_reply.is_(False))
            .order_by(OutboundMessage.id.desc())
            .limit(limit)
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
