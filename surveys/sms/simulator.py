"""The phone simulator: staff text the system from a pretend number and see its replies.

Each message goes through the real inbound webhook: the simulator builds the parameters Twilio
would send, signs them with the same token the webhook checks (see webhook.auth_token), and posts
them to /sms/twilio/inbound inside the app. So what staff see is what a phone would get.

The conversation shown is kept in the staff member's session only (the last few texts, cut
short), never in the database: the webhook stores no inbound bodies, and neither does this.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from flask import current_app, session

from app.messaging.webhook import SIGNATURE_HEADER, public_url, sign

SESSION_KEY = "sms_simulator"
KEEP = 12  # texts shown
CUT = 480  # characters kept of each text (the session is a cookie)
INBOUND_PATH = "/sms/twilio/inbound"


def history() -> list[dict]:
    return list(session.get(SESSION_KEY, []))


def clear() -> None:
    session.pop(SESSION_KEY, None)


def _remember(direction: str, number: str, text: str) -> None:
    kept = history()
    cut = text if len(text) <= CUT else text[: CUT - 1] + "…"
    kept.append({"direction": direction, "number": number, "text": cut})
    session[SESSION_KEY] = kept[-KEEP:]


def send(number: str, text: str) -> list[str]:
    """Text ``text`` from ``number`` through the webhook; return the replies."""
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": current_app.config.get("TWILIO_ACCOUNT_SID") or "ACsimulator",
        "From": number,
        "To": "simulator",
        "Body": text,
        "NumMedia": "0",
    }
    headers = {SIGNATURE_HEADER: sign(public_url(INBOUND_PATH), params)}
    client = current_app.test_client()
    response = client.post(INBOUND_PATH, data=params, headers=headers)
    _remember("in", number, text)
    replies = replies_in(response.get_data(as_text=True)) if response.status_code == 200 else []
    if response.status_code != 200:
        replies = [f"(The webhook answered {response.status_code}: nothing was sent back.)"]
    for reply in replies:
        _remember("out", number, reply)
    return replies


def replies_in(twiml: str) -> list[str]:
    """The texts in a TwiML <Response>."""
    root = ET.fromstring(twiml)  # noqa: S314 - our own webhook's reply
    return [(m.text or "") for m in root.iter("Message")]
