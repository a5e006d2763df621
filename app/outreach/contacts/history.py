"""A contact's history and their erasure: what was sent to them, and the right to be forgotten.

Kept apart from contacts/services.py because both need the invitations (which themselves build on
the contact rules): erasure settles each invitation's "reached" before the messages that say so
go, then keeps the invitation without a contact so the round's counts stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import (
    current_message_status,
    refresh_reached,
    with_outbound,
)
from app.staff.audit.services import record

# --- History ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    kind: str
    template: str
    channel: str
    status: str
    detail: str
    sent_at: datetime | None
    created_at: datetime


def history(contact: Contact) -> list[HistoryLine]:
    """What was sent to the contact, newest first, each text's status read from the outbound
    queue as ``refresh_message_statuses`` would store it, without storing it (a GET never
    writes: issue 20)."""
    status = current_message_status()
    moved = status != ContactMessage.status  # the text's status, time and error win
    rows = db.session.execute(
        with_outbound(
            sa.select(
                ContactMessage.kind,
                ContactMessage.template,
                ContactMessage.channel,
                status,
                sa.case(
                    (moved, sa.func.coalesce(OutboundMessage.error_code, "")),
                    else_=ContactMessage.detail,
                ),
                sa.case((moved, OutboundMessage.sent_at), else_=ContactMessage.sent_at),
                ContactMessage.created_at,
            )
        )
        .where(ContactMessage.contact_id == contact.id)
        .order_by(ContactMessage.id.desc())
    )
    return [
        HistoryLine(kind, template, channel, now, detail[:200], sent_at, created_at)
        for kind, template, channel, now, detail, sent_at, created_at in rows
    ]


# --- Erasure -----------------------------------------------------------------------------------


def erase_contact(contact: Contact) -> None:
    """Right to erasure: the person's details and history go; the round's counts stay."""
    invitations = list(
        db.session.scalars(sa.select(Invitation).where(Invitation.contact_id == contact.id))
    )
    refresh_reached(invitations)  # settle "reached" before the messages that say so go
    texts = [m.outbound_message_id for m in contact.messages if m.outbound_message_id]
    contact_id = contact.id
    counts = f"{len(contact.messages)} messages, {len(invitations)} invitations kept anonymous"
    for invitation in invitations:
        invitation.contact_id = None
    if texts:
        db.session.execute(sa.delete(OutboundMessage).where(OutboundMessage.id.in_(texts)))
    db.session.delete(contact)  # its messages go with it (cascade)
    db.session.flush()
    record("contact.erase", object_type="Contact", object_id=contact_id, detail=counts)
    db.session.commit()
    current_app.logger.info("Contact %s erased", contact_id)
