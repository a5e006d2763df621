"""A contact's preferred language: their personal link opens the survey in it (where offered)
and their invitation text and email are worded in it (where translated), else English."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import Contact
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.surveys.conftest import SLUG, make_open_round

BASE = f"/s/{SLUG}"


def _invite(app, languages: list[str]) -> dict[str, tuple[str, str]]:
    """Invite one contact per language by text: {language: (code, text body)}."""
    ids = add_contacts(app, len(languages))
    with app.app_context():
        for contact_id, language in zip(ids, languages, strict=True):
            db.session.get(Contact, contact_id).preferred_language = language
        db.session.commit()
    invite_all(app, make_open_round(app), ("sms",))
    with app.app_context():
        found = {}
        for invitation in db.session.scalars(sa.select(Invitation)):
            body = db.session.scalar(
                sa.select(OutboundMessage.body).where(
                    OutboundMessage.body.contains(invitation.code)
                )
            )
            found[invitation.contact.preferred_language] = (invitation.code, body)
        return found


def test_the_personal_link_opens_the_survey_in_the_contacts_language(app):
    sent = _invite(app, ["en-x-easyread", "ar-XB", "ti"])
    easy = app.test_client()
    easy.get(f"/i/{sent['en-x-easyread'][0]}")
    assert '<html lang="en-x-easyread"' in easy.get(BASE).text
    assert "This is a survey about leaving care." in easy.get(BASE).text
    rtl = app.test_client()
    rtl.get(f"/i/{sent['ar-XB'][0]}")
    assert '<html lang="ar-XB" dir="rtl"' in rtl.get(BASE).text
    tigrinya = app.test_client()  # not offered here yet: English
    tigrinya.get(f"/i/{sent['ti'][0]}")
    assert '<html lang="en" dir="ltr"' in tigrinya.get(BASE).text


def test_a_language_the_person_chose_wins_over_the_suggestion(app):
    sent = _invite(app, ["ar-XB"])
    browser = app.test_client()
    browser.get(f"{BASE}?lang=en-XA")
    browser.get(f"/i/{sent['ar-XB'][0]}")
    assert '<html lang="en-XA"' in browser.get(BASE).text


def test_the_invitation_text_is_in_the_contacts_language_where_translated(app):
    sent = _invite(app, ["en-XA", "ti", ""])
    assert "Ŵé ŵåñţ ţö ĥéåŕ åƀöûţ ļéåṽîñĝ çåŕé" in sent["en-XA"][1]  # the test language
    assert f"/i/{sent['en-XA'][0]}" in sent["en-XA"][1]  # the link is never translated
    for english in ("ti", ""):  # no translation here: English
        assert "We want to hear about leaving care." in sent[english][1]
    with app.app_context():
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.code == sent["en-XA"][0])
        )
        subject, body = invitations.email_text(invitation, invitation.contact)
        assert "ŵåñţš ţö ĥéåŕ" in subject and f"/i/{invitation.code}" in body
        english = db.session.scalar(sa.select(Invitation).where(Invitation.code == sent[""][0]))
        subject, body = invitations.email_text(english, english.contact, reminder=True)
        assert subject.startswith("Reminder: tell ")
        assert body.startswith("Hello Person,") and "This is a reminder. We want to hear" in body
