"""Tables for messages the service sends: the outbound text queue, opt-outs, unreachable numbers.

- ``OptOut`` and ``UnreachableNumber`` hold hashes only, each with its key's id (see
  ``app.messaging.keys``), so the worker can check them at send time without a list of numbers.
- ``OutboundMessage`` is the queue of texts the system starts (invitations, reminders, updates)
  and the ledger of what texting costs. It needs the number to send to; it has no link to a
  response. Conversation replies go back in the webhook's TwiML, and are written here without a
  number (``to_number`` NULL), for the cost figures and delivery status only.
- ``SmsRateLimit`` is one row per backend: the next free send slot, shared by every worker.
``round_id`` names the survey round a text was for (by foreign key only: this layer knows
nothing of surveys).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model
from app.messaging.keys import current_key_id


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OptOut(Model):
    """A number (by hash) that texted STOP, or that staff marked "do not contact"."""

    __tablename__ = "sms_opt_out"
    __table_args__ = (sa.CheckConstraint("source IN ('sms','staff')", name="source_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # The id of the SMS_HMAC_KEY that made phone_hash (app/messaging/keys.py: rotation).
    key_id: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=current_key_id, server_default="1"
    )
    source: so.Mapped[str] = so.mapped_column(sa.String(8), default="sms")
    opted_out_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class UnreachableNumber(Model):
    """A number (by hash) the network says cannot get texts (invalid, landline, unsubscribed)."""

    __tablename__ = "sms_unreachable_number"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # The id of the SMS_HMAC_KEY that made phone_hash (app/messaging/keys.py: rotation).
    key_id: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=current_key_id, server_default="1"
    )
    error_code: so.Mapped[str] = so.mapped_column(sa.String(16), default="")
    marked_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class OutboundMessage(Model):
    """A text the system sends: queued, claimed by a worker, sent once, and its delivery status."""

    __tablename__ = "sms_outbound_message"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued','sending','sent','delivered','undelivered','failed','cancelled')",
            name="status_known",
        ),
        sa.CheckConstraint("encoding IN ('GSM-7','UCS-2')", name="encoding_known"),
        sa.CheckConstraint(
            "to_number IS NOT NULL OR is_conversation_reply", name="queued_texts_have_a_number"
        ),
        sa.Index("ix_sms_outbound_message_claim", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    to_number: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    encoding: so.Mapped[str] = so.mapped_column(sa.String(8))
    segments: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default=OutboundStatus.QUEUED.value)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    lease_until: so.Mapped[datetime | None]
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # Set (and committed) just before the provider is called: a worker that dies after this
    # point may have sent the text, so the message is never retried blindly (see worker.py).
    send_started_at: so.Mapped[datetime | None]
    provider_sid: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    error_code: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(120), unique=True)
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="SET NULL"), index=True
    )
    is_conversation_reply: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[datetime | None]
    status_at: so.Mapped[datetime | None]


class ReplyTally(Model):
    """How many conversation replies (and segments) a round has sent, for its cost: a count only.

    A reply sent in the webhook's TwiML is not kept as a message: a row per reply, with its
    words and time, would show staff (and anyone with the database) the survey conversation
    and the "help now" texts as they happen, and pair them with the invitations by id order.
    """

    __tablename__ = "sms_reply_tally"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), unique=True
    )
    texts: so.Mapped[int] = so.mapped_column(default=0)
    segments: so.Mapped[int] = so.mapped_column(default=0)


class SmsRateLimit(Model):
    """The next free send slot (seconds since the epoch), shared by every worker process."""

    __tablename__ = "sms_rate_limit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    next_slot: so.Mapped[float] = so.mapped_column(sa.Float(precision=53), default=0.0)


class SendConfirmation(Model):
    """A confirm step's token, stored once its send went ahead (app/messaging/confirm.py).

    The primary key is the token itself, so a double click or a retried request cannot send
    the same batch twice: the second insert fails.
    """

    __tablename__ = "send_confirmation"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    what: so.Mapped[str] = so.mapped_column(sa.String(40))
    confirmed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
