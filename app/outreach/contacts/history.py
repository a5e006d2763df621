"""A contact's history and their erasure: what was sent to them, and the right to be forgotten.

Kept apart from contacts/services.py because both need the invitations (which themselves build on
the contact rules): erasure settles each invitation's "reached" before the messages that say so
go, then keeps the invitation without a contact so the round's counts stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import refresh_message_statuses, refresh_reached
from app.staff.audit.services import record

# --- History ---------------------------------------------------------------------------------


def history(contact: Contact) -> list[ContactMessage]:
    """What was sent to the contact, newest first (statuses of texts brought up to date)."""
    refresh_message_statuses([m for m in contact.messages if m.outbound_message_id])
    return list(contact.messages)


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
