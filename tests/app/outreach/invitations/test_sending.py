"""Every send has a confirm step: counts per channel, the wording, segments and cost, then it
sends only on confirm, once, however often the confirm is posted."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core import clock
from app.core.extensions import db
from app.messaging.encoding import segments
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import ContactMessage
from app.outreach.invitations.models import Invitation
from app.staff.auth.models import Role
from surveys.models import ContactRequest
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.surveys.conftest import make_open_round


def _token(page: str) -> str:
    found = re.search(r'name="confirm_token" value="([^"]+)"', page)
    assert found, "no confirm step"
    return found.group(1)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_invitations_are_sent_only_after_the_confirm_page_and_only_once(app, logged_in_as):
    round_id = make_open_round(app)
    add_contacts(app, 3)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/rounds/{round_id}/invitations/new"
    data = {"channels": ["sms", "email", "letter"], "team": ""}
    check = client.post(url, data=data)
    assert check.status_code == 200
    assert "invitations to 3 people" in check.text
    for channel in ("sms", "email", "letter"):
        assert re.search(
            rf'data-channel="{channel}">\s*<th[^>]*>\w+</th>\s*<td[^>]*>3</td>', check.text
        ), channel
    assert _count(app, Invitation) == 0 and _count(app, ContactMessage) == 0

    wording = re.search(r"Text: the exact wording</h2>\s*<pre[^>]*>([^<]+)</pre>", check.text)
    assert wording and "We want to hear about leaving care" in wording.group(1)
    each = segments(wording.group(1).replace("&amp;", "&"))[1]
    assert f"{each} (GSM-7)" in check.text
    assert f"£{3 * each * 4 / 100:,.2f}" in check.text  # 4p a segment in the test settings
    assert "Subject: " in check.text  # the email's subject is shown too

    confirm = {**data, "confirm_token": _token(check.text)}
    sent = client.post(url, data=confirm)
    assert sent.status_code == 302
    assert "3 people invited" in client.get(sent.headers["Location"]).text
    assert _count(app, Invitation) == 3
    messages = _count(app, ContactMessage)
    assert messages == 9

    again = client.post(url, data=confirm)  # a double click or a retried request
    assert again.status_code == 302
    assert "sent already" in client.get(again.headers["Location"]).text
    assert (_count(app, Invitation), _count(app, ContactMessage)) == (3, messages)


def test_a_reminder_now_leaves_out_people_invited_or_reminded_lately(app, logged_in_as):
    round_id = make_open_round(app)
    add_contacts(app, 4)
    invite_all(app, round_id, ("sms", "email"))
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Invitation).order_by(Invitation.id)))
        for row in rows[:2]:
            row.invited_on = clock.today() - timedelta(days=8)
        early = sa.select(ContactMessage).where(
            ContactMessage.invitation_id.in_([r.id for r in rows[:2]])
        )
        for message in db.session.scalars(early):
            message.created_at -= timedelta(days=8)
        db.session.commit()
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/rounds/{round_id}/invitations/remind"
    check = client.post(url, data={"team": ""})
    assert check.status_code == 200
    assert "a reminder to 2 people" in check.text
    assert "2 people are left out because they were invited or reminded less than 3 days ago" in (
        check.text
    )
    assert "Reminder: please tell us about leaving care." in check.text
    before = _count(app, ContactMessage, ContactMessage.kind == "reminder")
    assert before == 0

    token = _token(check.text)
    client.post(url, data={"team": "", "confirm_token": token})
    client.post(url, data={"team": "", "confirm_token": token})  # double click
    assert _count(app, ContactMessage, ContactMessage.kind == "reminder") == 4  # 2 x text+email

    # Straight after, everyone has had something lately: nobody is reminded again.
    later = client.post(url, data={"team": ""})
    assert "a reminder to 0 people" in later.text
    assert "4 people are left out" in later.text
    assert 'name="confirm_token"' not in later.text


def test_an_update_shows_its_wording_and_count_before_it_goes(app, logged_in_as):
    round_id = make_open_round(app)
    with app.app_context():
        db.session.add(
            ContactRequest(
                round_id=round_id, kind="updates", name="A", phone="07700 900101", consent=True
            )
        )
        db.session.commit()
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    check = client.post("/staff/you-said/send-update", data={"body": "We now run workshops."})
    assert check.status_code == 200
    assert "an update to 1 person" in check.text
    assert "We now run workshops. See what changed:" in check.text
    assert _count(app, OutboundMessage) == 0
    confirm = {"body": "We now run workshops.", "confirm_token": _token(check.text)}
    client.post("/staff/you-said/send-update", data=confirm)
    client.post("/staff/you-said/send-update", data=confirm)
    assert _count(app, OutboundMessage) == 1
