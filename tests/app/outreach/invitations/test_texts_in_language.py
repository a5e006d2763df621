"""Invitation and reminder texts in a contact's preferred language, and the send confirm page
counting each language's segments by the one encoding rule (app/messaging/encoding.py)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from app.core import clock
from app.core.extensions import db
from app.messaging.encoding import GSM_7, UCS_2, segments
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.invitations.models import Invitation
from app.staff.auth.models import Role
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.app.outreach.invitations.test_sending import _token
from tests.surveys.conftest import make_open_round

RTL_TEST = "\u202eEnglish\u202c (RTL test)"  # ar-XB's name in its own words


def _contacts(app, languages: list[str]) -> None:
    ids = add_contacts(app, len(languages))
    with app.app_context():
        for contact_id, language in zip(ids, languages, strict=True):
            db.session.get(Contact, contact_id).preferred_language = language
        db.session.commit()


def _row(page: str, language: str) -> tuple[int, int, str]:
    """(messages, segments each, encoding) in the confirm page's row for a text language."""
    found = re.search(
        rf'data-channel="sms" data-language="{re.escape(language)}">\s*<th[^>]*>([^<]*)</th>'
        r"\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+) \(([^)]+)\)</td>",
        page,
    )
    assert found, language
    assert html.unescape(found.group(1)) == f"Text in {language}"
    return int(found.group(2)), int(found.group(3)), found.group(4)


def _wording(page: str, language: str) -> str:
    found = re.search(
        rf"Text in {re.escape(language)}: the exact wording</h2>\s*<pre[^>]*>([^<]+)</pre>", page
    )
    assert found, language
    return html.unescape(found.group(1))


def test_the_confirm_page_counts_each_languages_segments(app, logged_in_as):
    round_id = make_open_round(app)
    _contacts(app, ["", "ti", "ar-XB"])  # Tigrinya is not offered here: English
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/rounds/{round_id}/invitations/new"
    check = client.post(url, data={"channels": ["sms"], "team": ""}).text

    english, rtl = _wording(check, "English"), _wording(check, RTL_TEST)
    assert "We want to hear about leaving care" in english and "تجربة" in rtl
    assert _row(check, "English") == (2, segments(english)[1], GSM_7)
    assert _row(check, RTL_TEST) == (1, segments(rtl)[1], UCS_2)
    total = 2 * segments(english)[1] + segments(rtl)[1]
    assert segments(rtl)[1] > segments(english)[1]  # another script costs more
    assert f"£{total * 4 / 100:,.2f}" in check  # 4p a segment in the test settings

    sent = client.post(
        url,
        data={"channels": ["sms"], "team": "", "confirm_token": _token(check)},
    )
    assert sent.status_code == 302
    with app.app_context():
        bodies = list(db.session.scalars(sa.select(OutboundMessage.body)))
    assert sum(1 for b in bodies if "تجربة" in b) == 1  # what was shown is what is sent


def test_a_reminder_is_in_the_contacts_language_too(app, logged_in_as):
    round_id = make_open_round(app)
    _contacts(app, ["en-XA", ""])
    invite_all(app, round_id, ("sms",))
    with app.app_context():  # invited 8 days ago, so a reminder is due
        for row in db.session.scalars(sa.select(Invitation)):
            row.invited_on = clock.today() - timedelta(days=8)
        for message in db.session.scalars(sa.select(ContactMessage)):
            message.created_at -= timedelta(days=8)
        db.session.commit()
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/rounds/{round_id}/invitations/remind"
    check = client.post(url, data={"team": ""}).text
    assert "a reminder to 2 people" in check
    accented = _wording(check, "[Ëñĝļîšĥ] (test)")
    assert "Ŕéɱîñđéŕ" in accented and "Reminder:" in _wording(check, "English")
    client.post(url, data={"team": "", "confirm_token": _token(check)})
    with app.app_context():
        bodies = list(
            db.session.scalars(
                sa.select(OutboundMessage.body)
                .join(ContactMessage, ContactMessage.outbound_message_id == OutboundMessage.id)
                .where(ContactMessage.kind == "reminder")
            )
        )
    assert sorted("Ŕéɱîñđéŕ" in b for b in bodies) == [False, True]  # one each
    assert sorted("Reminder: please" in b for b in bodies) == [False, True]
