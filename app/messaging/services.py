"""Sending texts, without knowing what they are about: numbers' hashes, opt-outs, the queue.

- A phone number is stored only as ``phone_hash`` (app/messaging/keys.py: an HMAC under
  SMS_HMAC_KEY, with the key's id beside it). Opt-outs and unreachable numbers are looked up
  under every key we hold, so rotating the key never lets a text through to a number that
  opted out; these functions take the number, not a hash, for that reason.
- ``queue_text`` is the one way the system starts a text. It refuses numbers that opted out or
  were marked unreachable (nothing is stored for them), and an ``idempotency_key`` makes queueing
  the same text twice store one message (a database constraint, not a check).
- Delivery receipts (``record_status``) move a text's status forwards only, and mark numbers the
  network says cannot get texts.
"""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.clock import utcnow
from app.core.extensions import db, insert_ignoring_duplicates
from app.core.phones import NumberInvalid, normalise_number
from app.messaging.backends import UNREACHABLE_CODES
from app.messaging.encoding import segments
from app.messaging.keys import phone_hash, phone_hashes, rekey
from app.messaging.models import (
    OptOut,
    OutboundMessage,
    OutboundStatus,
    ReplyTally,
    UnreachableNumber,
)

SENT_STATUSES = (OutboundStatus.SENT.value, OutboundStatus.DELIVERED.value)

# --- Numbers and their hashes -------------------------------------------------------------


def masked(number: str | None) -> str:
    """What staff see of a number: the last three digits."""
    return f"•••• {number[-3:]}" if number else "reply in a conversation"


# --- Opt-outs and numbers that cannot be reached -------------------------------------------


def opt_out(number: str, source: str = "sms") -> bool:
    """Record an opt-out (idempotent) and cancel anything still queued for the number.

    True if the number had not opted out before (so a confirmation is owed)."""
    rekey_number(number)
    new = blocked_reason(number) != "opted_out"
    if new:
        db.session.add(OptOut(phone_hash=phone_hash(number), source=source))
    _cancel_queued(number, "opted_out")
    return new


def opt_in(number: str, *, source: str | None = None) -> None:
    """Take the number off the opt-out list (under every key); only ``source``'s entry if given."""
    rows = sa.delete(OptOut).where(OptOut.phone_hash.in_(phone_hashes(number)))
    if source is not None:
        rows = rows.where(OptOut.source == source)
    db.session.execute(rows)


def mark_unreachable(number: str, error_code: str) -> None:
    hashes = phone_hashes(number)
    if (
        db.session.scalar(
            sa.select(UnreachableNumber.id).where(UnreachableNumber.phone_hash.in_(hashes))
        )
        is None
    ):
        db.session.add(
            UnreachableNumber(phone_hash=phone_hash(number), error_code=str(error_code)[:16])
        )
    _cancel_queued(number, "unreachable")


def rekey_number(number: str) -> None:
    """A number we have in hand (it texted in, or is being opted out): move its opt-out and
    unreachable entries onto the current key, if an old key made them."""
    for model in (OptOut, UnreachableNumber):
        rekey(model, [number])


@functools.cache
def _blocked_statement() -> sa.CompoundSelect:
    """Both lists in one statement, built once, when first used (a webhook asks this for every
    text it answers, and SQLAlchemy keeps a statement's cache key on it: reusing it skips
    rebuilding and re-keying; not on import, where not every model is mapped yet)."""
    return sa.union_all(
        sa.select(sa.literal("unreachable"), UnreachableNumber.phone_hash).where(
            UnreachableNumber.phone_hash.in_(sa.bindparam("hashes", expanding=True))
        ),
        sa.select(sa.literal("opted_out"), OptOut.phone_hash).where(
            OptOut.phone_hash.in_(sa.bindparam("hashes", expanding=True))
        ),
    )


@functools.cache
def opted_out_clause() -> sa.Exists:
    """Whether a number has opted out, for a caller that asks it inside a statement of its own
    (the SMS webhook asks it with the number's conversation): bind ``opt_out_hashes`` to
    ``phone_hashes(number)``, every key's hash, as ``blocked_reason`` looks it up."""
    return sa.exists().where(OptOut.phone_hash.in_(sa.bindparam("opt_out_hashes", expanding=True)))


def blocked_reason(number: str) -> str | None:
    """Why a number must not be texted ('opted_out', 'unreachable'), or None."""
    return blocked_numbers({number}).get(number)


def blocked_numbers(numbers: set[str]) -> dict[str, str]:
    """For many numbers at once: {number: 'opted_out' or 'unreachable'} for those not to text.

    Each number is checked under every key we hold (old keys too), so a rotation never lets a
    text through to a number whose opt-out has not been moved to the new key."""
    by_hash = {hashed: number for number in numbers for hashed in phone_hashes(number)}
    if not by_hash:
        return {}
    rows = db.session.execute(_blocked_statement(), {"hashes": list(by_hash)}).all()
    blocked = {by_hash[hashed]: "unreachable" for reason, hashed in rows if reason != "opted_out"}
    # An opt-out is the reason to report when a number is on both lists.
    blocked.update({by_hash[hashed]: reason for reason, hashed in rows if reason == "opted_out"})
    return blocked


def listed(model: type[OptOut] | type[UnreachableNumber], numbers: set[str]) -> set[str]:
    """Which of these numbers are on the opt-out (or unreachable) list, under any key."""
    by_hash = {hashed: number for number in numbers for hashed in phone_hashes(number)}
    if not by_hash:
        return set()
    found = db.session.scalars(sa.select(model.phone_hash).where(model.phone_hash.in_(by_hash)))
    return {by_hash[hashed] for hashed in found}


def _cancel_queued(number: str, reason: str) -> None:
    try:
        canonical = normalise_number(number)
    except NumberInvalid:
        return  # not a number we could have queued a text to
    queued = db.session.scalars(
        sa.select(OutboundMessage).where(
            OutboundMessage.status == OutboundStatus.QUEUED.value,
            OutboundMessage.to_number == canonical,
        )
    )
    for message in queued:
        message.status, message.error_code = OutboundStatus.CANCELLED.value, reason


def queued_numbers() -> set[str]:
    """Numbers the outbound queue holds (for key rotation: hashes we can move)."""
    return set(
        db.session.scalars(
            sa.select(OutboundMessage.to_number).where(OutboundMessage.to_number.is_not(None))
        )
    )


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
    if blocked_reason(number):
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


@functools.cache
def _tally_statements() -> tuple[sa.Update, sa.Update]:
    """(add to a round's tally, add to the tally of replies outside a round), built once."""
    add = {
        "texts": ReplyTally.texts + 1,
        "segments": ReplyTally.segments + sa.bindparam("added_segments"),
    }
    in_round = sa.update(ReplyTally).where(ReplyTally.round_id == sa.bindparam("tally_round"))
    # Replies outside a round share one row; NULLs are never equal to each other, so the unique
    # round_id cannot stop two first replies each adding one: the oldest is the one counted.
    first_outside = sa.select(sa.func.min(ReplyTally.id)).where(ReplyTally.round_id.is_(None))
    outside = sa.update(ReplyTally).where(ReplyTally.id == first_outside.scalar_subquery())
    return in_round.values(add), outside.values(add)


def record_reply(body: str, round_id: int | None) -> None:
    """A conversation reply sent in the webhook's TwiML: counted for cost, never kept (no words,
    no time, no row of its own: see ReplyTally).

    One UPDATE adding to the count in the database (not read, added to in Python and written
    back, which two replies at once would each overwrite); the row is inserted by the first
    reply (of a round, or outside any). A round's first replies often come at once (its
    invitations go out together): when another has just inserted the round's row, this one's
    insert is skipped (not failed, which would fail the text it counts) and it adds to theirs."""
    count = segments(body)[1]
    in_round, outside = _tally_statements()
    if round_id is None:
        added = db.session.connection().execute(outside, {"added_segments": count})
        if added.rowcount == 0:
            db.session.add(ReplyTally(round_id=None, texts=1, segments=count))
        return
    values = {"added_segments": count, "tally_round": round_id}
    if db.session.connection().execute(in_round, values).rowcount:
        return
    first = {"round_id": round_id, "texts": 1, "segments": count}
    if not insert_ignoring_duplicates(ReplyTally, [first], "round_id"):
        db.session.connection().execute(in_round, values)  # theirs is there now: add to it


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
        mark_unreachable(to, error_code)
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
