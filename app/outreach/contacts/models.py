"""The service's care leavers (contacts) and what was sent to each: personal data, staff only.

Decisions a newcomer might otherwise undo:
- No table here points at a response or an answer, and nothing in the survey tables points
  here (tests/surveys/test_anonymity.py). Contacts are how we reach people, never how we read
  what they said.
- Duplicates are prevented by the database, not only by the import: a mobile number (E.164)
  belongs to one contact, and so does a name (case and spaces folded, ``name_key``) with a date
  of birth.
- ``ContactMessage`` is the contact's history: every invitation and reminder, by which channel,
  with which template, when, and how it went. It holds no answer and no response id. It is
  deleted with the contact (right to erasure).
- ``updated_on`` is a date: "records not updated in 12 months" needs no more.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core import batches
from app.core.clock import today, utcnow
from app.core.extensions import Model, partial_unique_index


class LegalStatus(StrEnum):
    ELIGIBLE = "eligible"
    RELEVANT = "relevant"
    FORMER_RELEVANT = "former_relevant"
    QUALIFYING = "qualifying"
    OTHER = "other"


LEGAL_STATUS_LABELS = {
    "": "Not known",
    LegalStatus.ELIGIBLE: "Eligible child",
    LegalStatus.RELEVANT: "Relevant child",
    LegalStatus.FORMER_RELEVANT: "Former relevant",
    LegalStatus.QUALIFYING: "Qualifying",
    LegalStatus.OTHER: "Other",
}


class ContactChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


CHANNEL_LABELS = {"sms": "Text message", "email": "Email", "letter": "Letter"}


class Contact(Model):
    __tablename__ = "contact"
    __table_args__ = (
        sa.UniqueConstraint("name_key", "date_of_birth", name="uq_contact_name_birth"),
        sa.CheckConstraint(
            "legal_status IN ('','eligible','relevant','former_relevant','qualifying','other')",
            name="legal_status_known",
        ),
        sa.CheckConstraint(
            "preferred_channel IN ('','sms','email','letter')", name="preferred_channel_known"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    name_key: so.Mapped[str] = so.mapped_column(sa.String(120), index=True)
    preferred_name: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    date_of_birth: so.Mapped[date | None]
    mobile: so.Mapped[str | None] = so.mapped_column(sa.String(20), unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    address: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # lines, without postcode
    postcode: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    team: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    personal_adviser: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    legal_status: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    in_touch: so.Mapped[bool] = so.mapped_column(default=True)
    preferred_channel: so.Mapped[str] = so.mapped_column(sa.String(8), default="")
    consent: so.Mapped[bool] = so.mapped_column(default=False)
    do_not_contact: so.Mapped[bool] = so.mapped_column(default=False)
    do_not_contact_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    opted_out: so.Mapped[bool] = so.mapped_column(default=False)
    number_bad: so.Mapped[bool] = so.mapped_column(default=False)
    # Optional groups (app/outreach/contacts/groups.py): False is "not recorded".
    group_asylum_seeking: so.Mapped[bool] = so.mapped_column(default=False)
    group_disabled: so.Mapped[bool] = so.mapped_column(default=False)
    group_youth_justice: so.Mapped[bool] = so.mapped_column(default=False)
    group_parent: so.Mapped[bool] = so.mapped_column(default=False)
    group_in_custody: so.Mapped[bool] = so.mapped_column(default=False)
    group_out_of_area: so.Mapped[bool] = so.mapped_column(default=False)
    # BCP 47, e.g. "ar", "fa-AF", "en-x-easyread": their invitation opens the survey in it
    # where it is offered (app/core/languages.py), else in English.
    preferred_language: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    created_on: so.Mapped[date] = so.mapped_column(default=today)
    updated_on: so.Mapped[date] = so.mapped_column(default=today, index=True)

    messages: so.Mapped[list[ContactMessage]] = so.relationship(
        back_populates="contact",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ContactMessage.id.desc()",
    )

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.name.split(" ")[0]

    @property
    def may_be_contacted(self) -> bool:
        return not (self.do_not_contact or self.opted_out)


class ContactMessage(Model):
    """One thing sent to a contact: an invitation or a reminder, by one channel."""

    __tablename__ = "contact_message"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('sms','email','letter')", name="channel_known"),
        sa.CheckConstraint("kind IN ('invitation','reminder')", name="kind_known"),
        sa.CheckConstraint(
            "status IN ('queued','sent','failed','cancelled','printed')", name="status_known"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contact_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    invitation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    channel: so.Mapped[str] = so.mapped_column(sa.String(8))
    template: so.Mapped[str] = so.mapped_column(sa.String(40))
    # "invitation:12:sms" or "reminder:12:7:email": one of each, ever (a database constraint).
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued")
    detail: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    outbound_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sms_outbound_message.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[datetime | None]

    contact: so.Mapped[Contact] = so.relationship(back_populates="messages")


class ContactUpload(Model):
    """A contacts file between upload, mapping and preview; deleted when imported or dropped."""

    __tablename__ = "contact_upload"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    signature: so.Mapped[str] = so.mapped_column(sa.String(64))
    headers: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    rows: so.Mapped[list[list[str]]] = so.mapped_column(sa.JSON)
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    uploaded_on: so.Mapped[date] = so.mapped_column(default=today)


class ContactMapping(Model):
    """How a file with these column names was mapped last time."""

    __tablename__ = "contact_mapping"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    signature: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)


class ContactImportReport(Model):
    """What an import left out or warned about, by row number, kept after the import so the
    worker can download it (CSV) and fix the case-management system. Row numbers and reasons
    only: the rows themselves are deleted with the upload."""

    __tablename__ = "contact_import_report"
    __table_args__ = (
        # One unfinished import of an upload, held by the database: two at once (a double
        # click) would both match the file against the contacts and add the same people twice.
        partial_unique_index(
            "uq_contact_import_report_one_unfinished_per_upload", "upload_id", "NOT finished"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    imported_on: so.Mapped[date] = so.mapped_column(default=today, index=True)
    summary: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    lines: so.Mapped[list[dict[str, str]]] = so.mapped_column(sa.JSON, default=list)
    # While the import job runs: how far it is (app/outreach/contacts/importing.py).
    finished: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    rows_done: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    rows_total: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # The upload being imported (gone once imported), which job holds the import (the fence in
    # app/core/batches.py) and when it last saved a batch: a consumer takes up an import whose
    # job was lost.
    upload_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("contact_upload.id", ondelete="SET NULL")
    )
    attempt: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    progressed_at: so.Mapped[datetime | None] = so.mapped_column(default=utcnow)

    @property
    def is_stale(self) -> bool:
        """Unfinished, with no batch saved for IMPORT_STALE_MINUTES: its job was lost."""
        if self.finished or self.progressed_at is None:
            return False
        return self.progressed_at < batches.lost_before()
