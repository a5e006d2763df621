"""Invitations: the personal link, reminders, letters, erasure and the response-rate dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.core.extensions import db
from app.messaging.encoding import segments
from app.messaging.models import OutboundMessage
from app.outreach.contacts import history
from app.outreach.contacts import services as contacts
from app.outreach.contacts.models import Contact, ContactMessage
from app.outreach.invitations import dashboard, letters
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys import completion
from surveys.models import Response, SurveyRound
from tests.conftest import make_staff, sign_in
from tests.surveys.conftest import SLUG, make_open_round

# A weekday morning in London, outside the quiet hours (21:00 to 09:00) that hold emails back.
OFFICE_HOURS = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)  # 10:30 in London


def add_contacts(app, n: int, *, team=lambda i: "North", start: int = 0) -> list[int]:
    ids = []
    with app.app_context():
        for i in range(start, start + n):
            contact = contacts.save_contact(
                None,
                {
                    "name": f"Person {i}",
                    "date_of_birth": f"{1 + i % 28:02d}/03/2005",
                    "mobile": f"07700 900{i:03d}",
                    "email": f"p{i}@example.org",
                    "address": f"{i} Fiction Road\nNorthbridge",
                    "postcode": "NB1 2AB",
                    "team": team(i),
                    "in_touch": True,
                    "consent": True,
                },
            )
            ids.append(contact.id)
    return ids


def invite_all(app, round_id: int, channels=("sms", "email", "letter"), **filters):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        return invitations.create_invitations(
            survey_round, invitations.InviteFilter(**filters), list(channels)
        )


def answer_everything(client, slug: str = SLUG):
    client.post(f"/s/{slug}/start")
    return client.post(f"/s/{slug}/check")


def test_answering_through_a_personal_link_completes_only_that_invitation(app, client):
    round_id = make_open_round(app)
    add_contacts(app, 3)
    result = invite_all(app, round_id)
    assert result.invited == 3
    with app.app_context():
        texts = list(db.session.scalars(sa.select(OutboundMessage)))
        assert len(texts) == 3
        mine = db.session.scalar(sa.select(Invitation).order_by(Invitation.id).limit(1))
        code = mine.code
        assert f"/i/{code}" in next(t.body for t in texts if code in t.body)

    response = client.get(f"/i/{code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/{SLUG}")
    answer_everything(client)

    with app.app_context():
        # Sealed, not applied: one notice waits for a batch of 5 (or the round's close).
        assert db.session.scalar(sa.select(Invitation).where(Invitation.code == code)).status == (
            "invited"
        )
        assert invitations.apply_completion_notices() == 0
        assert invitations.apply_completion_notices(everything=True) == 1
        survey_round = db.session.get(SurveyRound, round_id)
        done = db.session.scalar(sa.select(Invitation).where(Invitation.code == code))
        assert done.status == "completed"
        assert invitations.next_reminder(done, invitations.schedule_for(survey_round)) is None
        others = db.session.scalars(sa.select(Invitation).where(Invitation.code != code))
        assert all(i.status == "invited" for i in others)
        # The response has no column that could hold the invitation (schema test) and nothing
        # in it equals the code or the invitation's id.
        row = db.session.execute(sa.select(Response.__table__)).one()
        assert code not in " ".join(str(v) for v in row)
    with client.session_transaction() as session:
        assert SLUG not in session.get(completion.SESSION_KEY, {}), "the link is forgotten"


def test_an_unknown_code_gets_a_kind_404(client):
    response = client.get("/i/ZZZZZZZZ")
    assert response.status_code == 404
    assert "could not find that link" in response.text


def test_the_invitation_text_offers_both_ways_in_two_texts_at_most(app):
    round_id = make_open_round(app)
    add_contacts(app, 1)
    invite_all(app, round_id, ("sms",))
    with app.app_context():
        body = db.session.scalar(sa.select(OutboundMessage.body))
        assert "Reply to this text" in body and "any wifi" in body and "/i/" in body
        encoding, count = segments(body)
        assert encoding == "GSM-7" and count <= 2, (count, len(body), body)


def test_reminders_follow_the_schedule_and_skip_completed_and_do_not_contact(app):
    round_id = make_open_round(app)
    ids = add_contacts(app, 4)
    invite_all(app, round_id, ("sms", "email"))
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Invitation).order_by(Invitation.id)))
        for row in rows:
            row.invited_on = date.today() - timedelta(days=8)
        rows[0].status = "completed"
        barred = db.session.get(Contact, ids[1])
        barred.do_not_contact = True
        contacts.sync_opt_out(barred)
        db.session.commit()
        assert invitations.send_due_reminders() == 4  # 2 people x (text + email)
        assert invitations.send_due_reminders() == 0  # never twice
        reminded = set(
            db.session.scalars(
                sa.select(ContactMessage.contact_id).where(ContactMessage.kind == "reminder")
            )
        )
        assert reminded == {ids[2], ids[3]}
        assert invitations.deliver_emails() >= 0


def test_letters_for_invitations_are_one_pdf(app):
    round_id = make_open_round(app)
    add_contacts(app, 3)
    invite_all(app, round_id, ("letter",))
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, round_id)
        pdf = letters.letters_pdf(survey_round)
        assert pdf.startswith(b"%PDF")
        assert letters.mark_printed(survey_round) == 3
        assert letters.letters_pdf(survey_round) is None  # printed: nothing waiting now
        statuses = set(db.session.scalars(sa.select(ContactMessage.status)))
        assert statuses == {"printed"}


def test_downloading_letters_changes_nothing_and_marking_printed_is_a_post(app, logged_in_as):
    round_id = make_open_round(app)
    add_contacts(app, 3)
    invite_all(app, round_id, ("letter",))
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    base = f"/staff/rounds/{round_id}/invitations"
    for _ in range(2):  # a double click, or a browser fetching it again
        got = client.get(f"{base}/letters.pdf")
        assert got.status_code == 200 and got.data.startswith(b"%PDF")
    with app.app_context():
        assert set(db.session.scalars(sa.select(ContactMessage.status))) == {"queued"}
    page = client.get(base).get_data(as_text=True)
    assert "Print 3 letters waiting" in page and "Mark 3 letters as printed" in page
    assert "people invited today" in page
    assert client.post(f"{base}/letters/printed", data={}).status_code == 302
    with app.app_context():
        assert set(db.session.scalars(sa.select(ContactMessage.status))) == {"printed"}
    # Nothing waiting now, but a reprint and today's letters are still there.
    page = client.get(base).get_data(as_text=True)
    assert "Print 3 letters waiting" not in page and "Reprint all 3 letters" in page
    assert client.get(f"{base}/letters.pdf?which=all").data.startswith(b"%PDF")
    assert client.get(f"{base}/letters.pdf?which=today").data.startswith(b"%PDF")


def test_erasure_removes_the_person_and_history_and_keeps_the_counts(app):
    ids = add_contacts(app, 6)
    round_id = make_open_round(app)
    invite_all(app, round_id)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        before = dashboard.dashboard(survey_round)
        contact = db.session.get(Contact, ids[0])
        history.erase_contact(contact)
        assert db.session.get(Contact, ids[0]) is None
        assert not db.session.scalars(
            sa.select(ContactMessage).where(ContactMessage.contact_id == ids[0])
        ).all()
        assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 5
        kept = db.session.scalar(sa.select(Invitation).where(Invitation.contact_id.is_(None)))
        assert kept is not None and kept.status == "invited"
        after = dashboard.dashboard(survey_round)
        assert (after.eligible, after.invited) == (before.eligible, before.invited)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "contact.erase"))
        assert event.object_id == str(ids[0]) and "Person 0" not in (event.detail or "")


@time_machine.travel(OFFICE_HOURS, tick=True)  # the emails go out at once, whatever the hour
def test_dashboard_numbers_equal_independent_counts_and_small_groups_are_hidden(app, client):
    add_contacts(app, 12, team=lambda i: "North" if i < 9 else "Leaving Care East")
    add_contacts(app, 2, start=50, team=lambda i: "Elsewhere")  # on the list, not invited
    with app.app_context():
        barred = db.session.scalar(sa.select(Contact).where(Contact.name == "Person 51"))
        barred.do_not_contact = True
        db.session.commit()
    round_id = make_open_round(app)  # the eligible count is fixed now, with the list as it is
    invite_all(app, round_id, ("sms", "email"), team="North")
    invite_all(app, round_id, ("email",), team="Leaving Care East")
    with app.app_context():
        codes = list(db.session.scalars(sa.select(Invitation.code).order_by(Invitation.id)))
    for code in codes[:6]:  # six people answer through their links
        browser = app.test_client()
        browser.get(f"/i/{code}")
        answer_everything(browser)
    answer_everything(app.test_client())  # and one person from the poster
    with app.app_context():
        assert invitations.apply_completion_notices() == 6  # the daily job: a batch of 6
        invitations.deliver_emails()
        texts = db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id))
        for n, text in enumerate(texts):  # what the SMS worker would record
            text.status = "failed" if n == 0 else "delivered"
        db.session.commit()
        survey_round = db.session.get(SurveyRound, round_id)
        board = dashboard.dashboard(survey_round)

        # Independent counts, straight from the tables.
        q = db.session
        eligible = q.scalar(
            sa.select(sa.func.count()).select_from(Contact).where(~Contact.do_not_contact)
        )
        invited = q.scalar(sa.select(sa.func.count()).select_from(Invitation))
        responded = q.scalar(
            sa.select(sa.func.count()).select_from(Response).where(Response.status == "complete")
        )
        completed = q.scalar(
            sa.select(sa.func.count())
            .select_from(Invitation)
            .where(Invitation.status == "completed")
        )
        sent = sa.select(ContactMessage.invitation_id).where(ContactMessage.status == "sent")
        reached = q.scalar(
            sa.select(sa.func.count()).select_from(Invitation).where(Invitation.id.in_(sent))
        )
        assert (eligible, invited, responded, completed) == (13, 12, 7, 6)
        assert board.eligible == eligible
        assert board.invited == invited
        assert board.responded == responded
        assert board.completed_invitations == completed
        assert board.reached == reached == 12  # the failed text's person still got an email
        assert board.by_day[-1].responded == responded
        teams = {r.label: r for r in board.by_team}
        assert teams["Leaving Care East"].invited == "fewer than 5"  # a group of 3
        # North is 12 invited less the hidden 3: hidden too, so the 3 cannot be worked out.
        assert teams["North"].invited == "hidden to protect privacy"
        assert teams["North"].reached == "hidden to protect privacy"
        by_channel = {label: (i, r) for label, i, r in board.by_invitation_channel}
        assert by_channel["Text message"] == (9, 8)
        assert by_channel["Email"] == (12, 12)
        assert board.rate == round(responded * 100 / eligible) == 54
        assert f"{responded} completed responses from {eligible} eligible" in board.takeaway

    client_page = app.test_client()
    make_staff(app, Role.PARTICIPATION_WORKER, "w@example.org")
    sign_in(client_page, "w@example.org")
    page = client_page.get(f"/staff/rounds/{round_id}/response-rate")
    assert page.status_code == 200
    assert "fewer than 5" in page.text and 'id="figure-invited">12<' in page.text
    partial = client_page.get(
        f"/staff/rounds/{round_id}/response-rate", headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text and "figure-responded" in partial.text
    chart = client_page.get(f"/staff/rounds/{round_id}/response-rate/chart.svg")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data


def test_the_sms_channel_can_complete_an_invitation_by_phone_hash_or_find_a_code(app):
    from app.messaging.services import phone_hash

    round_id = make_open_round(app)
    add_contacts(app, 2)
    invite_all(app, round_id, ("sms",))
    with app.app_context():
        first = db.session.scalar(sa.select(Invitation).order_by(Invitation.id).limit(1))
        assert invitations.round_for_code(first.code.lower()).id == round_id
        assert invitations.round_for_code("NOTACODE") is None
        hashed = phone_hash("07700 900000")
        for _ in range(2):  # the same notice twice: applied once
            completion.seal(completion.Finished(round_id=round_id, phone_hash=hashed))
        db.session.commit()
        assert invitations.apply_completion_notices(everything=True) == 1
        db.session.refresh(first)
        assert first.status == "completed"
        assert completion.waiting() == []
