"""Tables for the SMS channel: conversations, inbound idempotency, opt-outs and the outbound queue.

Anonymity (ARCHITECTURE.md) decides the shape of these tables:
- A conversation is keyed by ``phone_hash``, an HMAC-SHA256 of the number in E.164 form with
  SMS_HMAC_KEY; the number itself is never stored on it. ``response_id`` is the only link from
  a phone to answers, and it lives only on the conversation row, which is deleted when the
  conversation ends (completed, STOP, round closed) or has been idle for
  SMS_CONVERSATION_IDLE_DAYS. Nothing points the other way: Response and Answer have no column
  that leads here (tests/surveys/test_anonymity.py).
- ``InboundMessage`` keeps a MessageSid (for Twilio's retries) and the TwiML reply we gave, never
  the inbound body and no phone hash. The reply text is cleared after SMS_INBOUND_REPLY_DAYS:
  retries come within minutes, and a kept reply says how far someone got.
- ``OptOut`` and ``UnreachableNumber`` hold hashes only, so the worker can check them at send
  time without keeping a list of numbers.
- ``OutboundMessage`` is the queue of texts the system starts (invitations, reminders) and the
  ledger of what texting costs. It needs the number to send to; it has no link to a response.
  Conversation replies go back in the webhook's TwiML, and are written here without a number
  (``to_number`` NULL), for the cost figures and delivery status only.
- ``SmsRateLimit`` is one row per backend: the next free send slot, shared by every worker.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import utcnow
from app.extensions import db


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SmsConversation(db.Model):
    """One phone's place in one survey, while it is in progress (or invited, not yet started)."""

    __tablename__ = "sms_conversation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    # The only link from a phone to answers; NULL while only invited. Deleted with the row.
    response_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
    question_code: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    asked_again: so.Mapped[bool] = so.mapped_column(default=False)
    # A time is fine here: the row (and so the time) is deleted when the conversation ends.
    last_activity_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class InboundMessage(db.Model):
    """A MessageSid we have answered, and the TwiML we answered with (so a retry gets the same)."""

    __tablename__ = "sms_inbound_message"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_sid: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    reply_twiml: so.Mapped[str | None] = so.mapped_column(sa.Text)
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class OptOut(db.Model):
    """A number (by hash) that texted STOP, or that staff marked "do not contact"."""

    __tablename__ = "sms_opt_out"
    __table_args__ = (sa.CheckConstraint("source IN ('sms','staff')", name="source_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(8), default="sms")
    opted_out_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class UnreachableNumber(db.Model):
    """A number (by hash) the network says cannot get texts (invalid, landline, unsubscribed)."""

    __tablename__ = "sms_unreachable_number"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    error_code: so.Mapped[str] = so.mapped_column(sa.String(16), default="")
    marked_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class OutboundMessage(db.Model):
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


class SmsRateLimit(db.Model):
    """The next free send slot (seconds since the epoch), shared by every worker process."""

    __tablename__ = "sms_rate_limit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    next_slot: so.Mapped[float] = so.mapped_column(sa.Float(precision=53), default=0.0)
