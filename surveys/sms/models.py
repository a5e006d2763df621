"""Tables for the SMS survey channel: conversations and inbound idempotency.

Anonymity (ARCHITECTURE.md) decides the shape of these tables:
- A conversation is keyed by ``phone_hash``, an HMAC-SHA256 of the number in E.164 form with
  SMS_HMAC_KEY (``key_id`` names the key: app/messaging/keys.py); the number itself is never
  stored on it. ``response_id`` is the only link from
  a phone to answers, and it lives only on the conversation row, which is deleted when the
  conversation ends (completed, STOP, round closed) or has been idle for
  SMS_CONVERSATION_IDLE_DAYS. Nothing points the other way: Response and Answer have no column
  that leads here (tests/surveys/test_anonymity.py).
- ``InboundMessage`` keeps a MessageSid (for Twilio's retries) and the TwiML reply we gave, never
  the inbound body and no phone hash. The reply text is cleared after SMS_INBOUND_REPLY_DAYS:
  retries come within minutes, and a kept reply says how far someone got.
The outbound queue and opt-outs are the messaging layer's (app/messaging/models.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model, RandomKey, random_key, scrubbed
from app.messaging.keys import current_key_id
from surveys.models import Response


@scrubbed
class SmsConversation(Model):
    """One phone's place in one survey, while it is in progress (or invited, not yet started)."""

    __tablename__ = "sms_conversation"

    # Random keys: a counter here would pair the k-th conversation with the k-th text invitation.
    id: so.Mapped[int] = so.mapped_column(
        RandomKey, primary_key=True, autoincrement=False, default=random_key
    )
    phone_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # The id of the SMS_HMAC_KEY that made phone_hash (app/messaging/keys.py: rotation).
    key_id: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=current_key_id, server_default="1"
    )
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    # The only link from a phone to answers; NULL while only invited. Deleted with the row.
    response_id: so.Mapped[int | None] = so.mapped_column(
        RandomKey, sa.ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
    # One way only (Response has nothing that leads here). Lets a conversation be started with a
    # response not yet written, so both go in the one commit that answers the text.
    response: so.Mapped[Response | None] = so.relationship()
    question_code: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    asked_again: so.Mapped[bool] = so.mapped_column(default=False)
    # The language the conversation is in (app/core/languages.py code); NULL for English.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # A time is fine here: the row (and so the time) is deleted when the conversation ends.
    last_activity_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    # Each text's write checks the row is as it read it: two texts at once from an invited
    # number (each finding no survey started) would each start one, the last silently winning.
    # The loser's StaleDataError sends it back to look again (conversation.handle_inbound).
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


@scrubbed
class InboundMessage(Model):
    """A MessageSid we have answered, and the TwiML we answered with (so a retry gets the same)."""

    __tablename__ = "sms_inbound_message"

    id: so.Mapped[int] = so.mapped_column(
        RandomKey, primary_key=True, autoincrement=False, default=random_key
    )
    message_sid: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    reply_twiml: so.Mapped[str | None] = so.mapped_column(sa.Text)
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
