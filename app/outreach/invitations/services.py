"""Invitations: who is asked, by which channels, the personal link, reminders and delivery.

How an invitation is completed without linking it to the answers (ARCHITECTURE.md)
---------------------------------------------------------------------------------
- Each invitation has an unguessable personal code (8 characters from a 31-letter alphabet
  without look-alikes, about 40 bits, from ``secrets``). The link is /i/<code>; letters also
  print the code and a QR code of the link.
- Opening /i/<code> looks the invitation up and writes only {round slug: code} into the
  browser's signed session cookie, then sends the browser to the round's ordinary survey
  (/s/<slug>). The response is started and stored exactly as for anyone else: nothing about the
  invitation is written to it or to anything it can reach.
- When that browser sends its answers, ``surveys.web.services.mark_sent`` seals a completion
  notice holding the code (surveys/completion.py) and forgets it. By text: ``invite_by_text``
  queues the invitation and opens an invited conversation for the number (random key), so any
  reply starts the survey; when a conversation ends it seals a notice with the number's hash.
- ``apply_completion_notices`` (a daily job, app/outreach/invitations/tasks.py) opens the
  notices with NOTICE_KEY and marks invitations completed, a flag with no date, in shuffled
  batches of at least NOTICE_BATCH_MIN per round (the rest once the round closes), never in or
  next to the respondent's own writes. Reminders stop once the batch is applied, so someone
  who answered may get one more reminder: the price of not being matchable.

Everything sent is logged as a ContactMessage (to whom, when, template, status) in the
contact's history. Texts go through the SMS channel's queue (``queue_text``): its worker applies
quiet hours, opt-outs (including our "do not contact", mirrored as staff opt-outs) and
unreachable numbers at send time. Emails wait as queued ContactMessages and are sent by
``deliver_emails`` (the `flask invitations send` command), which checks "do not contact" and
quiet hours at send time too. Letters are queued until they are printed as one PDF.

Reminders follow the round's schedule (days after the invitation, 7, 14 and 28 by default) and
go only to invitations not completed whose contact may still be contacted. If the worker was
off for a while, only the latest step that is due is sent, never a burst of reminders; one key
per invitation, step and channel (a unique constraint) makes sending twice impossible. Letters
are not sent as automatic reminders: print them again from the round's invitations page.

Every send has a confirm step (app/messaging/confirm.py): ``preview_invitations`` and
``preview_reminder`` count who would get what by which channel, with the wording, before
anything is queued. "Send a reminder now" leaves out anyone invited or sent a reminder fewer
than REMINDER_MIN_GAP_DAYS ago (``_reminder_targets``), and the preview says how many and why.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core import languages
from app.core.clock import today, utcnow
from app.core.extensions import db, scrub_deleted
from app.messaging import notify, quiet_hours
from app.messaging.confirm import ChannelPreview, SendPreview
from app.messaging.encoding import segments
from app.messaging.mail import MailNotSent, send_email
from app.messaging.models import OutboundMessage, OutboundStatus
from app.messaging.services import phone_hash, phone_hashes, queue_text
from app.outreach.contacts.eligibility import is_eligible, reference_date
from app.outreach.contacts.groups import GROUPS
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.contacts.services import ContactFilter, age_band, filtered
from app.outreach.invitations.models import Invitation, ReminderSchedule
from app.staff.audit.services import record
from app.staff.authority.services import get_settings
from surveys import completion
from surveys.models import CompletionNotice, RoundStatus, SurveyRound
from surveys.sms.models import SmsConversation

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread
CODE_LENGTH = 8
CHANNELS = ("sms", "email", "letter")
DEFAULT_DAYS = [7, 14, 28]


class InvitationInvalid(ValueError):
    """Invitations cannot be made as asked; the message says why."""


# --- Codes and links ---------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:CODE_LENGTH]


def spaced(code: str) -> str:
    """'K7QMP3XA' -> 'K7QM P3XA', easier to read out and type."""
    return f"{code[:4]} {code[4:]}"


def personal_link(invitation: Invitation) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/i/{invitation.code}"


def by_code(code: str) -> Invitation | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.code == code))


def round_for_code(word: str) -> SurveyRound | None:
    """For the SMS channel: the round an invitation code texted in names, if it is one."""
    invitation = by_code(word)
    return db.session.get(SurveyRound, invitation.round_id) if invitation else None


# --- Completing, without touching the response ------------------------------------------------


def remember_in_session(invitation: Invitation, survey_round: SurveyRound) -> None:
    """/i/<code>: the code goes into this browser's signed cookie only; nothing is written.
    The survey opens in the contact's preferred language where it is offered (and this browser
    has not chosen one)."""
    completion.remember_personal_code(survey_round, invitation.code)
    if invitation.contact is not None and invitation.contact.preferred_language:
        languages.suggest(invitation.contact.preferred_language)


def _by_phone_hash(round_id: int, hashed: str) -> Invitation | None:
    rows = db.session.execute(
        sa.select(Invitation, Contact.mobile)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.round_id == round_id,
            Invitation.status == "invited",
            Contact.mobile.is_not(None),
        )
    ).all()
    for invitation, mobile in rows:
        if hashed in phone_hashes(mobile):  # a notice sealed before a key rotation too
            return invitation
    return None


def _invitation_for(finished: completion.Finished) -> Invitation | None:
    if finished.phone_hash is not None:
        return _by_phone_hash(finished.round_id, finished.phone_hash)
    invitation = by_code(finished.code or "")
    if invitation is None or invitation.round_id != finished.round_id:
        return None
    return invitation


def _round_has_closed(survey_round: SurveyRound | None) -> bool:
    return survey_round is None or survey_round.has_closed


def apply_completion_notices(*, everything: bool = False) -> int:
    """Open the sealed completion notices and mark their invitations completed (a flag only).

    A round's notices are applied only when at least NOTICE_BATCH_MIN are waiting, or once the
    round has closed (then whatever is left), in a shuffled order, all in one transaction that
    also deletes them; then the deleted notices are scrubbed from the database files. So an
    invitation's completion is never written in or next to its respondent's own writes, and
    the order of the updates says nothing about the order people finished. ``everything`` is
    for tests and for `flask invitations apply-notices --all`. Returns invitations completed.
    """
    by_round: dict[int, list[tuple[CompletionNotice, completion.Finished]]] = {}
    for notice in completion.waiting():
        finished = completion.open_notice(notice)
        if finished is not None:  # a notice no key we hold opens waits for its key
            by_round.setdefault(finished.round_id, []).append((notice, finished))
    least = current_app.config["NOTICE_BATCH_MIN"]
    completed = 0
    shuffler = secrets.SystemRandom()
    for round_id, batch in by_round.items():
        closed = _round_has_closed(db.session.get(SurveyRound, round_id))
        if len(batch) < least and not closed and not everything:
            continue
        shuffler.shuffle(batch)
        for notice, finished in batch:
            invitation = _invitation_for(finished)
            if invitation is not None and _mark_completed(invitation):
                completed += 1
            db.session.delete(notice)
    db.session.commit()
    scrub_deleted("completion_notice", "invitation")
    return completed


def _mark_completed(invitation: Invitation) -> bool:
    if invitation.status == "completed":
        return False
    invitation.status = "completed"
    _cancel_queued_reminders(invitation)
    return True


def _cancel_queued_reminders(invitation: Invitation) -> None:
    queued = db.session.scalars(
        sa.select(ContactMessage).where(
            ContactMessage.invitation_id == invitation.id,
            ContactMessage.kind == "reminder",
            ContactMessage.status == "queued",
        )
    )
    for message in queued:
        message.status, message.detail = "cancelled", "answered before it was sent"
        if message.outbound_message_id:
            db.session.execute(
                sa.update(OutboundMessage)
                .where(
                    OutboundMessage.id == message.outbound_message_id,
                    OutboundMessage.status == OutboundStatus.QUEUED.value,
                )
                .values(status=OutboundStatus.CANCELLED.value, error_code="answered")
            )


# --- Wording ------------------------------------------------------------------------------------


def _authority_name() -> str:
    return get_settings().name


def message_language(contact: Contact | None) -> str:
    """The language a message to ``contact`` is worded in: their preferred one where it is
    offered and translated (app/core/languages.py ``translator``), English otherwise."""
    return contact.preferred_language if contact and contact.preferred_language else "en"


def sms_text(invitation: Invitation, *, reminder: bool = False, language: str = "en") -> str:
    """The fewest segments that still offer both ways: reply by text, or answer online.

    Many care leavers have no credit, so the link (which works on any wifi) is always there;
    replying costs them a standard text, so that is offered first. Plain GSM-7 in English (a
    translation in another script costs more segments, and is still the fewest for it).
    """
    _ = languages.translator(language)
    link = personal_link(invitation)
    who = _authority_name()
    ask = (
        _("Reminder: please tell us about leaving care.")
        if reminder
        else _("We want to hear about leaving care.")
    )
    candidates = [
        _(
            "%(who)s: %(ask)s Anonymous survey. Reply to this text, or answer online at "
            "%(link)s (works on any wifi). Reply STOP to stop.",
            who=who,
            ask=ask,
            link=link,
        ),
        _(
            "%(who)s: %(ask)s Reply to this text, or answer online at %(link)s (works on any "
            "wifi). STOP to stop.",
            who=who,
            ask=ask,
            link=link,
        ),
        _(
            "%(ask)s Reply to this text, or answer at %(link)s (any wifi). STOP to stop.",
            ask=ask,
            link=link,
        ),
    ]
    fewest = min(segments(c)[1] for c in candidates)
    return next(c for c in candidates if segments(c)[1] == fewest)


def email_text(invitation: Invitation, contact: Contact, *, reminder: bool = False) -> tuple:
    _ = languages.translator(message_language(contact))
    who = _authority_name()
    subject = (
        _("Reminder: tell %(who)s about leaving care", who=who)
        if reminder
        else _("%(who)s wants to hear about leaving care", who=who)
    )
    paragraphs = [
        _("Hello %(name)s,", name=contact.known_as),
        (_("This is a reminder.") + " " if reminder else "")
        + _("We want to hear what leaving care is like for you, so we can make it better."),
        _(
            "The survey is anonymous: we do not ask your name, and we cannot see who gave "
            "which answers."
        ),
        _("Answer online (works on any wifi):") + "\n" + personal_link(invitation),
        _("Your code is %(code)s.", code=spaced(invitation.code)),
        _("If you would rather not get these emails, reply and tell us."),
        _("%(who)s leaving care team", who=who),
    ]
    return subject, "\n\n".join(paragraphs)


# --- Choosing who to invite --------------------------------------------------------------------


@dataclass(frozen=True)
class InviteFilter:
    team: str = ""
    age_band: str = ""
    legal_status: str = ""
    in_touch: str = ""

    def contact_filter(self) -> ContactFilter:
        return ContactFilter(
            team=self.team,
            age_band=self.age_band,
            legal_status=self.legal_status,
            in_touch=self.in_touch,
            reachable_only=True,
        )


def usable_channels(contact: Contact, wanted: tuple[str, ...] | list[str]) -> list[str]:
    """Of the channels wanted, the ones this contact can be reached by."""
    reachable = {
        "sms": bool(contact.mobile) and not contact.number_bad,
        "email": bool(contact.email),
        "letter": bool(contact.address and contact.postcode),
    }
    return [c for c in wanted if reachable.get(c)]


def candidates(survey_round: SurveyRound, filters: InviteFilter) -> list[Contact]:
    """Contacts the filters pick who may be contacted and are not yet invited to the round."""
    invited = sa.select(Invitation.contact_id).where(
        Invitation.round_id == survey_round.id, Invitation.contact_id.is_not(None)
    )
    query = filtered(filters.contact_filter()).where(Contact.id.not_in(invited))
    on = reference_date(survey_round)
    return [c for c in db.session.scalars(query) if is_eligible(c, on)]


@dataclass
class InviteResult:
    invited: int = 0
    unreachable: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


def create_invitations(
    survey_round: SurveyRound, filters: InviteFilter, channels: list[str]
) -> InviteResult:
    """Invite everyone the filters pick, by the channels each can be reached on."""
    channels = [c for c in CHANNELS if c in channels]
    if not channels:
        raise InvitationInvalid("Choose at least one way to send the invitations")
    if survey_round.status == RoundStatus.CLOSED:
        raise InvitationInvalid("This round is closed. Invite people to an open round")
    result = InviteResult()
    on = today()
    for contact in candidates(survey_round, filters):
        usable = usable_channels(contact, channels)
        if not usable:
            result.unreachable += 1
            continue
        invitation = Invitation(
            round_id=survey_round.id,
            contact_id=contact.id,
            code=new_code(),
            channels=usable,
            age_band=age_band(contact.date_of_birth, on),
            team=contact.team,
        )
        db.session.add(invitation)
        db.session.flush()
        for channel in usable:
            _send(invitation, contact, channel, "invitation")
            result.by_channel[channel] = result.by_channel.get(channel, 0) + 1
        result.invited += 1
    if not result.invited and not result.unreachable:
        raise InvitationInvalid("Nobody to invite: everyone these filters pick is invited already")
    record(
        "invitations.create",
        survey_round,
        detail=f"{result.invited} invited by {', '.join(channels)}; "
        f"{result.unreachable} could not be reached that way",
    )
    db.session.commit()
    return result


LETTER_WORDING = (
    "A printed letter with the person's own link, code and QR code. Print the letters from "
    "the invitations page once they are sent."
)


def _wording(
    channel: str, invitation: Invitation, contact: Contact, *, reminder: bool
) -> ChannelPreview:
    """What one person gets by ``channel`` (count 0: the caller counts)."""
    if channel == "sms":
        language = message_language(contact)
        return ChannelPreview("sms", 0, sms_text(invitation, reminder=reminder, language=language))
    if channel == "email":
        subject, body = email_text(invitation, contact, reminder=reminder)
        return ChannelPreview("email", 0, body, subject)
    return ChannelPreview("letter", 0, LETTER_WORDING)


def worded_in(contact: Contact) -> str:
    """The name of the language a message to ``contact`` is actually worded in: their
    preferred one where it is offered here (``languages.translator``), else English."""
    names = {lang.code: lang.name for lang in languages.offered()}
    return names.get(message_language(contact), _english())


def _english() -> str:
    return languages.all_languages()[languages.DEFAULT].name


def _channel_previews(
    per_channel: dict[str, list[tuple[Invitation, Contact]]], *, reminder: bool
) -> list[ChannelPreview]:
    """Per channel and language: how many, and the wording the first of them gets (each
    language's text has its own segment count: another script is UCS-2, 70 a segment)."""
    found = []
    for channel in CHANNELS:
        people = per_channel.get(channel, [])
        by_language: dict[str, list[tuple[Invitation, Contact]]] = {}
        for person in people:
            language = worded_in(person[1]) if channel != "letter" else ""
            by_language.setdefault(language, []).append(person)
        english = _english()
        named = len(by_language) > 1
        for language in sorted(by_language, key=lambda name: (name != english, name)):
            group = by_language[language]
            sample = _wording(channel, *group[0], reminder=reminder)
            found.append(
                ChannelPreview(
                    channel, len(group), sample.wording, sample.subject, language if named else ""
                )
            )
    return found


def preview_invitations(
    survey_round: SurveyRound, filters: InviteFilter, channels: list[str]
) -> SendPreview:
    """What ``create_invitations`` would send, sending nothing (the confirm step)."""
    channels = [c for c in CHANNELS if c in channels]
    if not channels:
        raise InvitationInvalid("Choose at least one way to send the invitations")
    if survey_round.status == RoundStatus.CLOSED:
        raise InvitationInvalid("This round is closed. Invite people to an open round")
    per_channel: dict[str, list[tuple[Invitation, Contact]]] = {}
    unreachable = 0
    found = candidates(survey_round, filters)
    for contact in found:
        usable = usable_channels(contact, channels)
        unreachable += not usable
        # A sample invitation, never saved: its code is made up, like each real one will be.
        sample = Invitation(round_id=survey_round.id, code=new_code())
        for channel in usable:
            per_channel.setdefault(channel, []).append((sample, contact))
    if not found:
        raise InvitationInvalid("Nobody to invite: everyone these filters pick is invited already")
    left_out = (
        [
            f"{unreachable} {'person has' if unreachable == 1 else 'people have'} no details for "
            "the ways you chose, so will not be invited."
        ]
        if unreachable
        else []
    )
    people = len(found) - unreachable
    return SendPreview(
        f"invitations to {people} {'person' if people == 1 else 'people'}",
        _channel_previews(per_channel, reminder=False),
        left_out,
    )


def _send(
    invitation: Invitation, contact: Contact, channel: str, kind: str, step: str = ""
) -> bool:
    """Log and hand over one message; False if it was sent before (its key exists)."""
    key = ":".join(p for p in (kind, str(invitation.id), step, channel) if p)
    if db.session.scalar(sa.select(ContactMessage.id).where(ContactMessage.key == key)):
        return False
    message = ContactMessage(
        contact_id=contact.id,
        invitation_id=invitation.id,
        kind=kind if kind != "oneoff" else "reminder",
        channel=channel,
        template=f"{'reminder' if kind != 'invitation' else 'invitation'}-{channel}",
        key=key,
    )
    if channel == "sms":
        invite_by_text(invitation, contact, message, reminder=kind != "invitation")
    db.session.add(message)
    db.session.flush()
    return True


def invite_by_text(invitation: Invitation, contact: Contact, message: ContactMessage, *, reminder):
    """Queue the text through the SMS channel, and open an invited conversation for the number
    so that any reply starts the survey (surveys/sms/conversation.py, "a number invited by text
    starts with any reply")."""
    assert contact.mobile  # usable_channels offers "sms" only to a contact with a mobile
    db.session.flush()
    queued = queue_text(
        contact.mobile,
        sms_text(invitation, reminder=reminder, language=message_language(contact)),
        round_id=invitation.round_id,
        idempotency_key=message.key,
    )  # commits: the invitation and message rows so far are saved with it
    if queued is None:
        message.status, message.detail = "cancelled", "the number opted out or cannot get texts"
        return
    message.outbound_message_id = queued.id
    hashed = phone_hash(contact.mobile)
    exists = db.session.scalar(
        sa.select(SmsConversation.id).where(
            SmsConversation.phone_hash.in_(phone_hashes(contact.mobile))
        )
    )
    if exists is None:
        db.session.add(SmsConversation(phone_hash=hashed, round_id=invitation.round_id))
        try:
            db.session.flush()
        except IntegrityError:  # the person texted in at that moment: theirs wins
            db.session.rollback()


# --- Email delivery ----------------------------------------------------------------------------


def deliver_emails(now: datetime | None = None, limit: int = 500) -> int:
    """Send queued emails (not in quiet hours; never to someone now marked do not contact)."""
    now = now or utcnow()
    if quiet_hours.is_quiet(now, *quiet_hours.settings_window()):
        return 0
    queued = list(
        db.session.scalars(
            sa.select(ContactMessage)
            .where(ContactMessage.channel == "email", ContactMessage.status == "queued")
            .order_by(ContactMessage.id)
            .limit(limit)
        )
    )
    sent = 0
    for message in queued:
        contact = message.contact
        invitation = db.session.get(Invitation, message.invitation_id)
        if not contact.may_be_contacted or not contact.email:
            message.status, message.detail = "cancelled", "do not contact, or no email now"
        elif invitation is None or (message.kind == "reminder" and invitation.is_completed):
            message.status, message.detail = "cancelled", "answered before it was sent"
        else:
            subject, body = email_text(invitation, contact, reminder=message.kind == "reminder")
            try:
                send_email(contact.email, subject, body, reference=message.key)
            except MailNotSent as exc:
                # Notify busy (429, 5xx): left queued for the next run; refused: failed, why.
                message.detail = str(exc)[:200]
                if not exc.retry:
                    message.status = "failed"
            except OSError as exc:
                message.status, message.detail = "failed", str(exc)[:200]
            else:
                message.status, message.sent_at = "sent", now
                sent += 1
        db.session.commit()
    return sent


# --- GOV.UK Notify's delivery receipts ---------------------------------------------------------


def record_notify_receipt(receipt: dict) -> None:
    """A Notify delivery receipt: a text's goes to the outbound queue (app.messaging.notify);
    an email's or letter's to the contact message whose key it carries as ``reference``."""
    if receipt.get("notification_type") == "sms":
        notify.record_text_receipt(receipt)
        return
    reference = str(receipt.get("reference") or "")
    message = db.session.scalar(sa.select(ContactMessage).where(ContactMessage.key == reference))
    if message is None or message.status not in ("sent", "failed"):
        return
    status = notify.our_status(str(receipt.get("status", "")))
    if status in ("failed", "undelivered"):
        message.status = "failed"
        message.detail = f"GOV.UK Notify: {receipt.get('status')}"[:200]
    elif message.status == "sent" and status == "delivered":
        message.detail = "delivered"
    db.session.commit()


# --- Statuses, reached and bounced -----------------------------------------------------------


# A contact message's status, from its text's status in the outbound queue (anything else: queued).
TEXT_STATUS = {
    "sent": "sent",
    "delivered": "sent",
    "failed": "failed",
    "undelivered": "failed",
    "cancelled": "cancelled",
}
REACHED_STATUSES = ("sent", "printed")


def refresh_message_statuses(messages: list[ContactMessage]) -> None:
    ids = [m.outbound_message_id for m in messages if m.outbound_message_id]
    if not ids:
        return
    outbound: dict[int | None, OutboundMessage] = {  # looked up by a nullable id
        o.id: o
        for o in db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.id.in_(ids)))
    }
    for message in messages:
        text = outbound.get(message.outbound_message_id)
        if text is None:
            continue
        status = TEXT_STATUS.get(text.status, "queued")
        if status != message.status:
            message.status = status
            message.sent_at = text.sent_at
            message.detail = (text.error_code or "")[:200]
    db.session.commit()


def refresh_reached(invitations: list[Invitation]) -> None:
    """Reached: at least one message went (sent or printed). Bounced: a text failed."""
    ids = [i.id for i in invitations]
    if not ids:
        return
    messages = list(
        db.session.scalars(sa.select(ContactMessage).where(ContactMessage.invitation_id.in_(ids)))
    )
    refresh_message_statuses(messages)
    by_invitation: dict[int | None, list[ContactMessage]] = {}  # keys: the ids asked for
    for message in messages:
        by_invitation.setdefault(message.invitation_id, []).append(message)
    for invitation in invitations:
        own = by_invitation.get(invitation.id)
        if own is None:  # erased contact: keep what was settled before
            continue
        invitation.reached = any(m.status in REACHED_STATUSES for m in own)
        invitation.bounced = any(m.channel == "sms" and m.status == "failed" for m in own)
    db.session.commit()


def current_message_status() -> sa.ColumnElement[str]:
    """What ``refresh_message_statuses`` would store, read in SQL without storing it: select
    from ContactMessage outer-joined to its OutboundMessage (``with_outbound``)."""
    from_text = sa.case(
        *((OutboundMessage.status == text, ours) for text, ours in TEXT_STATUS.items()),
        else_="queued",
    )
    return sa.case((OutboundMessage.id.is_not(None), from_text), else_=ContactMessage.status)


def with_outbound(query: sa.Select) -> sa.Select:
    return query.outerjoin(
        OutboundMessage, OutboundMessage.id == ContactMessage.outbound_message_id
    )


@dataclass(frozen=True)
class Delivery:
    """One invitation's standing, as ``refresh_reached`` would settle it (read-only)."""

    team: str
    completed: bool
    reached: bool
    bounced: bool
    age_band: str = ""
    # The contact's groups now (app/outreach/contacts/groups.py), never copied to the invitation:
    # an erased contact's invitation is in none.
    groups: frozenset[str] = frozenset()


def deliveries(survey_round: SurveyRound) -> list[Delivery]:
    """Every invitation to the round with reached and bounced brought up to date, in one
    statement and without writing (a GET must not write: issue 20). An invitation with no
    messages left (its contact erased) keeps the flags settled before the erasure."""
    status = current_message_status()
    messages = with_outbound(
        sa.select(
            ContactMessage.invitation_id.label("invitation_id"),
            sa.func.max(sa.case((status.in_(REACHED_STATUSES), 1), else_=0)).label("reached"),
            sa.func.max(
                sa.case(((ContactMessage.channel == "sms") & (status == "failed"), 1), else_=0)
            ).label("bounced"),
        ).join(Invitation, Invitation.id == ContactMessage.invitation_id)
    )
    per_invitation = (
        messages.where(Invitation.round_id == survey_round.id)
        .group_by(ContactMessage.invitation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Invitation.team,
            Invitation.status,
            Invitation.reached,
            Invitation.bounced,
            per_invitation.c.reached,
            per_invitation.c.bounced,
            Invitation.age_band,
            *(getattr(Contact, group.field) for group in GROUPS),
        )
        .outerjoin(per_invitation, per_invitation.c.invitation_id == Invitation.id)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.round_id == survey_round.id)
    ).all()
    return [
        Delivery(
            team=team,
            completed=status_ == "completed",
            reached=bool(settled_reached if now_reached is None else now_reached),
            bounced=bool(settled_bounced if now_bounced is None else now_bounced),
            age_band=band,
            groups=frozenset(g.key for g, member in zip(GROUPS, flags, strict=True) if member),
        )
        for (
            team,
            status_,
            settled_reached,
            settled_bounced,
            now_reached,
            now_bounced,
            band,
            *flags,
        ) in rows
    ]


# --- Reminders ---------------------------------------------------------------------------------


def schedule_for(survey_round: SurveyRound) -> list[int]:
    found = db.session.scalar(
        sa.select(ReminderSchedule).where(ReminderSchedule.round_id == survey_round.id)
    )
    return sorted(found.days) if found else list(DEFAULT_DAYS)


def set_schedule(survey_round: SurveyRound, days: list[int]) -> None:
    days = sorted(set(days))
    if any(d < 1 or d > 365 for d in days):
        raise InvitationInvalid("Reminder days must be between 1 and 365 days after the invitation")
    found = db.session.scalar(
        sa.select(ReminderSchedule).where(ReminderSchedule.round_id == survey_round.id)
    )
    if found is None:
        found = ReminderSchedule(round_id=survey_round.id)
        db.session.add(found)
    found.days = days
    record("invitations.schedule", survey_round, detail=f"days {days}")
    db.session.commit()


def next_reminder(invitation: Invitation, days: list[int], on: date | None = None) -> date | None:
    """When the next scheduled reminder is due; None once completed or when none is left."""
    on = on or today()
    if invitation.is_completed or invitation.contact_id is None:
        return None
    for day in days:
        due = invitation.invited_on + timedelta(days=day)
        if due >= on:
            return due
    return None


def _reminder_channels(invitation: Invitation) -> list[str]:
    return [c for c in invitation.channels if c != "letter"]


def send_due_reminders(on: date | None = None) -> int:
    """Queue the reminders that are due in every open round; returns how many were queued."""
    on = on or today()
    queued = 0
    rounds = db.session.scalars(
        sa.select(SurveyRound).where(SurveyRound.status == RoundStatus.OPEN)
    )
    for survey_round in list(rounds):
        if not survey_round.is_open:
            continue
        days = schedule_for(survey_round)
        for invitation, contact in _waiting(survey_round):
            elapsed = (on - invitation.invited_on).days
            due = [d for d in days if d <= elapsed]
            if not due:
                continue
            for channel in usable_channels(contact, _reminder_channels(invitation)):
                queued += _send(invitation, contact, channel, "reminder", f"day{due[-1]}")
        db.session.commit()
    return queued


def _waiting(survey_round: SurveyRound, filters: InviteFilter | None = None):
    query = (
        sa.select(Invitation, Contact)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.round_id == survey_round.id,
            Invitation.status == "invited",
            Contact.do_not_contact.is_(False),
            Contact.opted_out.is_(False),
        )
        .order_by(Contact.name_key)
    )
    if filters and filters.team:
        query = query.where(Invitation.team == filters.team)
    if filters and filters.age_band:
        query = query.where(Invitation.age_band == filters.age_band)
    on = reference_date(survey_round)
    # Consent withdrawn or "do not contact" set since the invitation: no more reminders.
    return [row for row in db.session.execute(query).all() if is_eligible(row[1], on)]


def _reminder_targets(
    survey_round: SurveyRound, filters: InviteFilter
) -> tuple[list[tuple[Invitation, Contact, list[str]]], int]:
    """Who "Send a reminder now" reaches, by which channels, and how many are left out for
    having been invited or reminded fewer than REMINDER_MIN_GAP_DAYS ago."""
    if not survey_round.is_open:
        raise InvitationInvalid("Reminders can only be sent while the round is open")
    gap = int(current_app.config["REMINDER_MIN_GAP_DAYS"])
    waiting = _waiting(survey_round, filters)
    last_sent = dict(
        db.session.execute(
            sa.select(ContactMessage.invitation_id, sa.func.max(ContactMessage.created_at))
            .where(ContactMessage.invitation_id.in_([i.id for i, _ in waiting]))
            .group_by(ContactMessage.invitation_id)
        )
        .tuples()
        .all()
    )
    on = today()
    targets, too_recent = [], 0
    for invitation, contact in waiting:
        latest = max(
            invitation.invited_on,
            last.date() if (last := last_sent.get(invitation.id)) else invitation.invited_on,
        )
        if (on - latest).days < gap:
            too_recent += 1
            continue
        channels = usable_channels(contact, _reminder_channels(invitation))
        if channels:
            targets.append((invitation, contact, channels))
    return targets, too_recent


def preview_reminder(survey_round: SurveyRound, filters: InviteFilter) -> SendPreview:
    """What ``send_one_off_reminder`` would send, sending nothing (the confirm step)."""
    targets, too_recent = _reminder_targets(survey_round, filters)
    per_channel: dict[str, list[tuple[Invitation, Contact]]] = {}
    for invitation, contact, channels in targets:
        for channel in channels:
            per_channel.setdefault(channel, []).append((invitation, contact))
    gap = int(current_app.config["REMINDER_MIN_GAP_DAYS"])
    left_out = (
        [
            f"{too_recent} {'person is' if too_recent == 1 else 'people are'} left out because "
            f"they were invited or reminded less than {gap} days ago."
        ]
        if too_recent
        else []
    )
    people = len(targets)
    return SendPreview(
        f"a reminder to {people} {'person' if people == 1 else 'people'}",
        _channel_previews(per_channel, reminder=True),
        left_out,
    )


def send_one_off_reminder(survey_round: SurveyRound, filters: InviteFilter) -> int:
    """Staff's extra reminder to a filtered group: one per person per day at most, and none
    to anyone invited or reminded fewer than REMINDER_MIN_GAP_DAYS ago."""
    targets, _too_recent = _reminder_targets(survey_round, filters)
    sent = 0
    stamp = today().isoformat()
    for invitation, contact, channels in targets:
        for channel in channels:
            sent += _send(invitation, contact, channel, "oneoff", stamp)
    record("invitations.remind", survey_round, detail=f"{sent} one-off reminders queued")
    db.session.commit()
    return sent


# --- Listing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageLine:
    """One message in an invitation's row, its status read from the outbound queue."""

    channel: str
    kind: str
    status: str


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    name: str
    messages: list[MessageLine]
    next_reminder: date | None


def invitation_rows(survey_round: SurveyRound, page: int = 1, per_page: int = 50, team: str = ""):
    """Invitations by contact name (never by completion: see the module docstring).

    The view is audited first, and committed before anything is read, so that the commit does
    not expire the rows the page goes on to show (each would be loaded again, one by one)."""
    record("invitations.view", survey_round, detail=f"page {page}")
    db.session.commit()
    query = (
        sa.select(Invitation)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .options(so.contains_eager(Invitation.contact))
        .where(Invitation.round_id == survey_round.id)
        .order_by(Contact.name_key.is_(None), Contact.name_key, Invitation.code)
    )
    if team:
        query = query.where(Invitation.team == team)
    result = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
    invitations = list(result.items)
    grouped: dict[int | None, list[MessageLine]] = {}  # keys: the ids asked for
    for invitation_id, channel, kind, status in db.session.execute(
        with_outbound(
            sa.select(
                ContactMessage.invitation_id,
                ContactMessage.channel,
                ContactMessage.kind,
                current_message_status(),
            )
        )
        .where(ContactMessage.invitation_id.in_([i.id for i in invitations]))
        .order_by(ContactMessage.id)
    ):
        grouped.setdefault(invitation_id, []).append(MessageLine(channel, kind, status))
    days = schedule_for(survey_round)
    rows = [
        InvitationRow(
            invitation=i,
            name=i.contact.name if i.contact else "Erased contact",
            messages=grouped.get(i.id, []),
            next_reminder=next_reminder(i, days),
        )
        for i in invitations
    ]
    return result, rows


def letters_waiting(survey_round: SurveyRound) -> int:
    # A count is never NULL, but scalar() is typed as maybe None.
    return (
        db.session.scalar(
            sa.select(sa.func.count(ContactMessage.id))
            .join(Invitation, Invitation.id == ContactMessage.invitation_id)
            .where(
                Invitation.round_id == survey_round.id,
                ContactMessage.channel == "letter",
                ContactMessage.status == "queued",
            )
        )
        or 0
    )
