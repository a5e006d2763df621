"""GOV.UK Notify's callbacks: the bearer token, delivery receipts and received texts.

Notify calls two URLs that the council sets in its Notify service settings (README, "GOV.UK
Notify"): delivery receipts (/notify/receipts) and received text messages (/sms/notify/inbound).
Each call carries ``Authorization: Bearer <token>``, the token typed into those settings, which
is NOTIFY_CALLBACK_TOKEN here. It is compared in constant time (hmac.compare_digest); with no
token configured every call is refused, so an unset token cannot let a forged call in.

Order of checks, as for Twilio's webhooks (app/messaging/webhook.py): too big (413) before
reading, a bad or missing token (403), then a body that is not a JSON object with the fields we
need (400). Bodies are never logged.

Receipt statuses (Notify's "Delivery receipts" and "Get message status" docs) become ours:
delivered -> delivered; temporary-failure (phone off, inbox full) -> undelivered;
permanent-failure (no such number or address) -> failed, and for a text the number is marked
unreachable; technical-failure -> failed. Anything else (created, sending, pending, accepted,
received) means sent. A receipt finds its message by ``reference`` (our id, sent with it) and
then by Notify's id.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import abort, current_app, request

from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.messaging.services import mark_unreachable, record_status

STATUSES = {
    "delivered": "delivered",
    "temporary-failure": "undelivered",
    "permanent-failure": "failed",
    "technical-failure": "failed",
    "validation-failed": "failed",
    "cancelled": "failed",
}


def our_status(notify_status: str) -> str:
    return STATUSES.get((notify_status or "").lower(), "sent")


def token_matches(header: str) -> bool:
    """True if ``header`` is "Bearer <NOTIFY_CALLBACK_TOKEN>" (constant time)."""
    token = current_app.config.get("NOTIFY_CALLBACK_TOKEN") or ""
    scheme, _, given = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def callback_json(required: tuple[str, ...]) -> dict[str, Any]:
    """The callback's JSON object, once it passes every check (or abort with 4xx)."""
    limit = current_app.config["SMS_MAX_REQUEST_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        abort(413)
    if not token_matches(request.headers.get("Authorization", "")):
        abort(403)
    try:
        data = json.loads(raw.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError):
        abort(400)
    if not isinstance(data, dict) or any(
        not isinstance(data.get(name), str) or not data[name] for name in required
    ):
        abort(400)
    return data


def inbound_number(source_number: str) -> str:
    """Notify gives the sender as digits with the country code ("447700900123")."""
    number = source_number.strip()
    return f"+{number}" if number.isdigit() and not number.startswith("0") else number


def record_text_receipt(receipt: dict[str, Any]) -> OutboundMessage | None:
    """A delivery receipt for one of our texts (Notify's notification_type "sms")."""
    status = our_status(str(receipt.get("status", "")))
    message = record_status(
        ref=str(receipt.get("reference") or ""),
        message_sid=str(receipt["id"])[:64],
        status=status,
        error_code="" if status in ("sent", "delivered") else str(receipt["status"])[:16],
        to="",
    )
    to = str(receipt.get("to") or "") or (message.to_number if message else "") or ""
    if str(receipt.get("status")) == "permanent-failure" and to:
        mark_unreachable(to, "permanent-failure")
        db.session.commit()
    return message
