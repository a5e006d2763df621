"""The confirm step every send goes through: what will go, to how many, and what it costs.

Invitations, reminders and "you said, we did" updates are sent in two steps. The first post
builds a ``SendPreview`` (counts per channel and per language the messages are worded in, the
exact wording, text segments by the one
encoding rule in ``app.messaging.encoding``, and the estimated cost from
SMS_PRICE_PER_SEGMENT_PENCE) with a fresh token; nothing is sent. The confirm post carries the
token back, and ``claim`` stores it before anything is queued: a double click or a retried
request finds it taken and sends nothing more.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.messaging.encoding import segments
from app.messaging.models import SendConfirmation

CHANNEL_NAMES = {"sms": "Text", "email": "Email", "letter": "Letter"}


@dataclass(frozen=True)
class ChannelPreview:
    channel: str  # "sms", "email" or "letter"
    count: int
    wording: str
    subject: str = ""
    # The language these messages are worded in (a contact's preferred language), named only
    # when a send has more than one, so each gets its own row, wording and segment count.
    language: str = ""

    @property
    def label(self) -> str:
        name = CHANNEL_NAMES[self.channel]
        return f"{name} in {self.language}" if self.language else name

    @property
    def encoding(self) -> str:
        return segments(self.wording)[0]

    @property
    def segments(self) -> int:
        """Segments in each text (0 for email and letters)."""
        return segments(self.wording)[1] if self.channel == "sms" else 0


@dataclass(frozen=True)
class SendPreview:
    what: str  # "invitations", "reminders" or "an update": the confirm page's words
    channels: list[ChannelPreview]
    left_out: list[str] = field(default_factory=list)  # sentences: how many and why
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def total(self) -> int:
        return sum(c.count for c in self.channels)

    @property
    def text_segments(self) -> int:
        return sum(c.count * c.segments for c in self.channels)

    @property
    def cost_pence(self) -> float:
        return self.text_segments * float(current_app.config["SMS_PRICE_PER_SEGMENT_PENCE"])

    @property
    def cost_text(self) -> str:
        return f"£{self.cost_pence / 100:,.2f}"


def claim(token: str, what: str) -> bool:
    """Store the confirm token; False if it was used already (nothing more must be sent)."""
    if not token or len(token) > 64:
        return False
    db.session.add(SendConfirmation(token=token, what=what[:40]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


TOKEN_FIELD = "confirm_token"  # noqa: S105 - a form field name, not a secret
NOT_COPIED = {"csrf_token", TOKEN_FIELD, "submit"}


def token_from(form: Mapping[str, str]) -> str:
    """The confirm token a post carries; "" for the first post (show the confirm page)."""
    return (form.get(TOKEN_FIELD) or "")[:64]


def render_confirm(
    preview: SendPreview, *, title: str, back_url: str, form: MultiDict[str, str]
) -> str:
    """The confirm page, carrying the first post's fields back unchanged with the token.
    (A view helper kept here so the three sends share one page and one rule.)"""
    fields = [(k, v) for k, values in form.lists() if k not in NOT_COPIED for v in values]
    return render_template(
        "send_confirm.html", preview=preview, title=title, back_url=back_url, fields=fields
    )
