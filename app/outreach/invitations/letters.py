"""Invitation letters: one mail-merged PDF (WeasyPrint), a page per young person.

Each letter has the name and address (placed for a DL window envelope), a short plain-English
invitation, the personal QR code and short code, the link for any wifi, and a note that a
paper form can go back in the freepost envelope. Fonts and the no-network rule are shared with
the paper forms (app/core/pdf.py).

Downloading the PDF (a GET) changes nothing but the audit log: a browser, a proxy or a
double click may fetch it twice. Marking letters printed is a separate POST
(``mark_printed``) that the worker presses once the letters are out of the printer. Which
letters: "waiting" (not yet marked printed), "today" (invited today, printed or not) or "all"
(a reprint of every letter of the round).

With LETTER_BACKEND "notify", ``send_by_notify`` sends each waiting letter to GOV.UK Notify as a
precompiled letter instead: one PDF per person, laid out to Notify's letter specification (A4;
nothing within 15 mm of the sides or 5 mm of the top and bottom; the address inside the area
24.6-120 mm from the left and 40-66.2 mm from the top, at most 7 lines; the body below 95 mm),
which the same layout meets for a DL window envelope. Exactly once, as the text worker does:
a letter is marked sent (detail "sending") and committed before Notify is called, and gets
Notify's id after; a crash in between leaves "sending" for a person to check, never a second
letter. A timeout after the letter left (Notify may hold it) is looked up by our reference:
found, it gets Notify's id; not found or not known, it stays "sending", never queued again.
Its key is the ``reference``, so Notify's receipts find it.
"""

from __future__ import annotations

import base64
import io

import qrcode
import sqlalchemy as sa
from flask import current_app
from qrcode.image.pil import PilImage

from app.core.clock import today, utcnow
from app.core.extensions import db
from app.core.pdf import html_to_pdf, render_pdf_html
from app.messaging.backends import (
    NotifyBackend,
    SendError,
    TemporarySendError,
    UncertainSendError,
    get_notify,
)
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import personal_link, spaced
from app.staff.audit.services import record
from app.staff.authority.services import get_settings
from surveys.models import SurveyRound


def _qr_data_uri(link: str) -> str:
    """A small black-and-white PNG: WeasyPrint lays out 300 of these far faster than SVGs."""
    image = qrcode.make(
        link,
        box_size=4,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=PilImage,  # the default when Pillow is installed, as it is here
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def letters_html(survey_round: SurveyRound, invitations: list[tuple[Invitation, Contact]]) -> str:
    settings = get_settings()
    letters = [
        {
            "name": contact.name,
            "known_as": contact.known_as,
            "address": [line for line in contact.address.splitlines() if line.strip()],
            "postcode": contact.postcode,
            "link": personal_link(invitation),
            "code": spaced(invitation.code),
            "qr": _qr_data_uri(personal_link(invitation)),
        }
        for invitation, contact in invitations
    ]
    return render_pdf_html(
        "invitations/letters_pdf.html",
        settings,
        survey_round=survey_round,
        letters=letters,
        today=utcnow().date(),
    )


WHICH = ("waiting", "today", "all")


def choose_letters(query: sa.Select, survey_round: SurveyRound, which: str) -> sa.Select:
    """``query`` narrowed to the round's letters that ``which`` chooses (see WHICH)."""
    query = (
        query.select_from(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .join(ContactMessage, ContactMessage.invitation_id == Invitation.id)
        .where(Invitation.round_id == survey_round.id, ContactMessage.channel == "letter")
    )
    if which == "waiting":
        query = query.where(ContactMessage.status == "queued")
    elif which == "today":
        query = query.where(Invitation.invited_on == today())
    return query


def order_letters(query: sa.Select) -> sa.Select:
    """The order letters print in: by postcode (the post room's order), then name."""
    return query.order_by(Contact.postcode, Contact.name_key, Invitation.id)


def letters_to_print(survey_round: SurveyRound, which: str = "waiting"):
    """(invitation, contact, message) for the letters chosen by ``which`` (see WHICH)."""
    query = choose_letters(sa.select(Invitation, Contact, ContactMessage), survey_round, which)
    return db.session.execute(order_letters(query)).all()


def count_letters(survey_round: SurveyRound, which: str = "waiting") -> int:
    """How many letters ``letters_to_print`` would give, counted in the database."""
    query = choose_letters(sa.select(sa.func.count(ContactMessage.id)), survey_round, which)
    return db.session.scalar(query) or 0


def made_while_you_wait(count: int) -> bool:
    """Whether a request may make this many letters itself; more go to a job (letter_runs)."""
    return count <= current_app.config["LETTERS_PER_PART"]


def letters_pdf(survey_round: SurveyRound, which: str = "waiting") -> bytes | None:
    """The letters as one PDF. Reading only: nothing is marked printed here."""
    rows = letters_to_print(survey_round, which)
    if not rows:
        return None
    pdf = html_to_pdf(letters_html(survey_round, [(i, c) for i, c, _m in rows]))
    record("invitations.letters", survey_round, detail=f"{len(rows)} letters downloaded ({which})")
    db.session.commit()
    return pdf


def mark_printed(survey_round: SurveyRound, which: str = "waiting") -> int:
    """Mark the chosen letters that are still waiting as printed; returns how many."""
    now = utcnow()
    marked = 0
    for _invitation, _contact, message in letters_to_print(survey_round, which):
        if message.status == "queued":
            message.status, message.sent_at = "printed", now
            marked += 1
    record("invitations.letters_printed", survey_round, detail=f"{marked} letters marked printed")
    db.session.commit()
    return marked


def letter_pdf(survey_round: SurveyRound, invitation: Invitation, contact: Contact) -> bytes:
    """One person's letter, as Notify takes it (a precompiled letter)."""
    return html_to_pdf(letters_html(survey_round, [(invitation, contact)]))


def send_by_notify(survey_round: SurveyRound) -> tuple[int, int]:
    """Send the waiting letters through GOV.UK Notify; returns (sent, not sent)."""
    notify = get_notify()
    sent = failed = 0
    for invitation, contact, message in letters_to_print(survey_round, "waiting"):
        pdf = letter_pdf(survey_round, invitation, contact)
        message.status, message.detail, message.sent_at = "sent", "sending", utcnow()
        db.session.commit()
        try:
            notification_id = notify.send_letter(pdf, reference=message.key)
        except UncertainSendError as exc:
            # Notify may hold it (the answer was lost): ask by our reference, never resend.
            found = _find_letter(notify, message.key)
            if found:
                message.detail = f"GOV.UK Notify {found}"[:200]
                sent += 1
            else:
                message.detail = f"sending: not known if GOV.UK Notify took it ({exc})"[:200]
                failed += 1
        except SendError as exc:
            # Busy (429, 5xx): waiting again for the next run. Refused (400): failed, and why.
            retry = isinstance(exc, TemporarySendError)
            message.status = "queued" if retry else "failed"
            message.detail, message.sent_at = str(exc)[:200], None
            failed += 1
        else:
            message.detail = f"GOV.UK Notify {notification_id}"[:200]
            sent += 1
        db.session.commit()
    record("invitations.letters_sent", survey_round, detail=f"{sent} letters sent to GOV.UK Notify")
    db.session.commit()
    return sent, failed


def _find_letter(notify: NotifyBackend, reference: str) -> str | None:
    try:
        return notify.find_by_reference("letter", reference)
    except SendError:
        return None  # cannot say: the letter stays "sending" for a person to check


def by_notify() -> bool:
    return current_app.config["LETTER_BACKEND"] == "notify"


def deliver_letters() -> int:
    """With LETTER_BACKEND "notify": send every round's waiting letters; returns how many."""
    if not by_notify():
        return 0
    waiting = (
        sa.select(Invitation.round_id)
        .join(ContactMessage, ContactMessage.invitation_id == Invitation.id)
        .where(ContactMessage.channel == "letter", ContactMessage.status == "queued")
        .distinct()
    )
    sent = 0
    for round_id in list(db.session.scalars(waiting)):
        sent += send_by_notify(db.session.get_one(SurveyRound, round_id))[0]
    return sent
