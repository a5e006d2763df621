"""GOV.UK Notify: texts, emails and precompiled letters through the real notifications-python-
client against a local fake Notify API, its delivery receipts, and a whole text survey arriving
through its received-text callback with the bearer token."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from app.core.extensions import db
from app.messaging.models import OutboundMessage, UnreachableNumber
from app.messaging.services import phone_hash, queue_text
from app.messaging.worker import Worker
from app.outreach.contacts.models import ContactMessage
from app.outreach.invitations import letters, tasks
from app.outreach.invitations import services as invitations
from app.staff.auth.models import Role
from surveys.models import Answer, Response, SurveyRound
from surveys.sms import conversation
from surveys.sms import services as sms_services
from surveys.sms.models import InboundMessage, SmsConversation
from tests.app.messaging.fake_notify import (
    CALLBACK_TOKEN,
    EMAIL_TEMPLATE,
    SMS_TEMPLATE,
    FakeNotify,
    settings,
)
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.concurrency import held_after_first_call, in_threads
from tests.conftest import build_app
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.web.test_web_survey import ANSWERS

OFFICE_HOURS = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)  # 10:30 in London, not quiet hours
MM = 72 / 25.4  # PDF points per millimetre
WRONG_KEY = "old-26785a09-ab16-4eb0-8407-a37497a57506-00000000-0000-0000-0000-000000000000"
BEARER = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}


@pytest.fixture
def notify():
    with FakeNotify(
        fail_with={
            "+447700900429": (429, "RateLimitError", "Exceeded rate limit for key type LIVE"),
            "+447700900500": (500, "Exception", "Internal server error"),
            "+447700900400": (400, "ValidationError", "phone_number Not a UK mobile number"),
        }
    ) as fake:
        yield fake


@pytest.fixture
def app(database_uri, notify):
    app = build_app(
        database_uri,
        **settings(notify, SMS_BACKEND="notify", MAIL_BACKEND="notify", LETTER_BACKEND="notify"),
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_worker(app):
    return Worker(app, batch=10).run(once=True)


def post_json(client, path, payload, headers=BEARER):
    return client.post(
        path, data=json.dumps(payload), headers=headers, content_type="application/json"
    )


def test_a_text_goes_through_the_generic_template_once_with_our_reference(app, notify):
    with app.app_context():
        message_id = queue_text("07700 900123", "Hello from the leaving care team").id
    stats = run_worker(app)
    assert stats.sent == 1 and notify.refused_tokens == 0
    (sms,) = notify.of("sms")
    assert sms == {
        "phone_number": "+447700900123",
        "template_id": SMS_TEMPLATE,
        "personalisation": {"body": "Hello from the leaving care team"},
        "reference": str(message_id),
    }
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        assert message.status == "sent" and message.provider_sid
    assert run_worker(app).sent == 0  # sent once: nothing is sent again
    assert len(notify.of("sms")) == 1


def test_notify_errors_retry_later_or_fail_with_the_reason(app, notify):
    with app.app_context():
        ids = {n: queue_text(f"07700 900{n}", "Hi").id for n in ("429", "500", "400")}
    stats = run_worker(app)
    assert (stats.sent, stats.retried, stats.failed) == (0, 2, 1)
    with app.app_context():
        status = {n: db.session.get(OutboundMessage, i) for n, i in ids.items()}
        assert status["429"].status == "queued" and status["429"].error_code == "RateLimitError"
        assert status["500"].status == "queued"
        assert status["400"].status == "failed" and status["400"].error_code == "ValidationError"
        # The number itself was the problem: nothing more is queued for it.
        assert db.session.scalar(sa.select(UnreachableNumber.phone_hash)) == phone_hash(
            "+447700900400"
        )
        assert queue_text("07700 900400", "Again") is None


def test_a_wrong_api_key_is_refused_by_notify_and_the_text_fails(database_uri, notify):
    app = build_app(
        database_uri,
        **{**settings(notify, SMS_BACKEND="notify"), "NOTIFY_API_KEY": WRONG_KEY},
    )
    with app.app_context():
        message_id = queue_text("07700 900123", "Hi").id
    assert run_worker(app).failed == 1 and notify.refused_tokens == 1
    with app.app_context():
        assert db.session.get(OutboundMessage, message_id).error_code == "AuthError"
        db.engine.dispose()


def test_delivery_receipts_need_the_bearer_token_and_update_the_text(app, client, notify):
    with app.app_context():
        ok = queue_text("07700 900123", "Hi").id
        gone = queue_text("07700 900124", "Hi").id
    run_worker(app)
    with app.app_context():
        sid = {i: db.session.get(OutboundMessage, i).provider_sid for i in (ok, gone)}

    def receipt(i, status):
        return {
            "id": sid[i],
            "reference": str(i),
            "to": "",
            "status": status,
            "notification_type": "sms",
        }

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": CALLBACK_TOKEN}):
        assert (
            post_json(client, "/notify/receipts", receipt(ok, "delivered"), headers).status_code
            == 403
        )
    assert post_json(client, "/notify/receipts", {"id": sid[ok]}).status_code == 400
    with app.app_context():
        assert (
            db.session.get(OutboundMessage, ok).status == "sent"
        )  # the refused ones changed nothing
    assert post_json(client, "/notify/receipts", receipt(ok, "delivered")).status_code == 204
    assert (
        post_json(client, "/notify/receipts", receipt(gone, "permanent-failure")).status_code == 204
    )
    assert post_json(client, "/notify/receipts", receipt(ok, "sending")).status_code == 204  # late
    with app.app_context():
        assert db.session.get(OutboundMessage, ok).status == "delivered"
        failed = db.session.get(OutboundMessage, gone)
        assert (failed.status, failed.error_code) == ("failed", "permanent-failur")
        assert queue_text("07700 900124", "Again") is None  # marked unreachable


def test_invitation_emails_go_through_the_generic_email_template(app, client, notify):
    round_id = make_open_round(app)
    add_contacts(app, 2)
    invite_all(app, round_id, ("email",))
    with time_machine.travel(OFFICE_HOURS, tick=False), app.app_context():
        assert invitations.deliver_emails() == 2
        keys = set(db.session.scalars(sa.select(ContactMessage.key)))
    emails = notify.of("email")
    assert {e["email_address"] for e in emails} == {"p0@example.org", "p1@example.org"}
    assert {e["template_id"] for e in emails} == {EMAIL_TEMPLATE}
    assert {e["reference"] for e in emails} == keys
    assert all(
        e["personalisation"]["subject"] and "/i/" in e["personalisation"]["body"] for e in emails
    )
    bounced = {
        "id": "x",
        "reference": emails[0]["reference"],
        "status": "permanent-failure",
        "notification_type": "email",
    }
    assert post_json(client, "/notify/receipts", bounced).status_code == 204
    with app.app_context():
        message = db.session.scalar(
            sa.select(ContactMessage).where(ContactMessage.key == bounced["reference"])
        )
        assert message.status == "failed" and "permanent-failure" in message.detail


def test_letters_go_as_precompiled_pdfs_that_meet_notifys_letter_specification(app, notify):
    round_id = make_open_round(app)
    add_contacts(app, 2)
    invite_all(app, round_id, ("letter",))
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert letters.send_by_notify(survey_round) == (2, 0)
        assert letters.send_by_notify(survey_round) == (0, 0)  # never twice
        details = set(db.session.scalars(sa.select(ContactMessage.detail)))
        assert all(d.startswith("GOV.UK Notify ") for d in details)
    sent = notify.of("letter")
    assert len(sent) == 2 and all(s["reference"].endswith(":letter") for s in sent)
    pdf = PdfReader(io.BytesIO(base64.b64decode(sent[0]["content"])))
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    width, height = float(page.mediabox.width) / MM, float(page.mediabox.height) / MM
    assert (round(width), round(height)) == (210, 297)  # A4 portrait
    placed: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            placed.append((text.strip(), x / MM, height - y / MM))

    page.extract_text(visitor_text=visit)
    address = [
        (t, x, top)
        for t, x, top in placed
        if t in ("Person 0", "0 Fiction Road", "Northbridge", "NB1 2AB")
    ]
    assert len(address) == 4, placed[:12]
    for _text, x, top in address:  # Notify's address area: 24.6-120 mm across, 40-66.2 mm down
        assert 24.6 <= x <= 120 and 40 <= top <= 66.2, address
    for text, x, top in placed:  # nothing in Notify's margins (15 mm sides, 5 mm top and bottom)
        assert 15 <= x <= 195 and 5 <= top <= 292, (text, x, top)


def test_the_letters_job_sends_waiting_letters_and_the_page_says_notify_posts_them(
    app, notify, logged_in_as
):
    round_id = make_open_round(app)
    add_contacts(app, 3)
    invite_all(app, round_id, ("letter",))
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get(f"/staff/rounds/{round_id}/invitations").get_data(as_text=True)
    assert "GOV.UK Notify, which prints and posts them. 3 waiting" in page
    assert "Mark 3 letters as printed" not in page
    with app.test_request_context():
        assert tasks.deliver_letters.call_local() == 3
        assert tasks.retry_letters.call_local() == 0
    assert len(notify.of("letter")) == 3


def test_a_notify_letter_refused_fails_with_the_reason(database_uri):
    with FakeNotify(fail_with={"letter": (400, "ValidationError", "Letter is too long")}) as fake:
        app = build_app(database_uri, **settings(fake, LETTER_BACKEND="notify"))
        round_id = make_open_round(app)
        add_contacts(app, 1)
        invite_all(app, round_id, ("letter",))
        with app.test_request_context():
            assert letters.send_by_notify(db.session.get(SurveyRound, round_id)) == (0, 1)
            message = db.session.scalar(sa.select(ContactMessage))
            assert (message.status, message.detail) == ("failed", "Letter is too long")
            db.engine.dispose()


class NotifyPhone:
    """A phone texting the survey's Notify inbound number: received-text callbacks."""

    def __init__(self, client, notify, number="447700900123"):
        self.client, self.notify, self.number = client, notify, number
        self.count = 0

    def callback(self, body, *, notification_id=None, headers=BEARER):
        self.count += 1
        payload = {
            "id": notification_id or f"00000000-0000-4000-8000-{self.count:012d}",
            "source_number": self.number,
            "destination_number": "07700900000",
            "message": body,
            "date_received": "2026-06-10T09:30:00.000000Z",
        }
        return post_json(self.client, "/sms/notify/inbound", payload, headers)

    def say(self, body: str) -> str:
        before = len(self.notify.of("sms"))
        assert self.callback(body).status_code == 204, body
        replies = self.notify.of("sms")[before:]
        assert all(r["phone_number"] == "+" + self.number for r in replies)
        return "\n".join(r["personalisation"]["body"] for r in replies)


def test_a_whole_text_survey_arrives_through_notifys_inbound_callback(app, client, notify):
    make_open_round(app, channels=("web", "sms"))
    phone = NotifyPhone(client, notify)
    assert phone.callback("BELONG", headers={}).status_code == 403
    assert phone.callback("BELONG", headers={"Authorization": "Bearer nope"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 0
    assert notify.of("sms") == []

    first = phone.say("BELONG")
    assert "anonymous" in first and "date of birth" in first
    # Notify retries a callback it did not see answered: the same id sends nothing again.
    repeat = phone.callback("BELONG", notification_id=f"00000000-0000-4000-8000-{phone.count:012d}")
    assert repeat.status_code == 204 and len(notify.of("sms")) == 1
    for code in ANSWERS:
        reply = phone.say(TEXTS[code])
        assert "did not understand" not in reply, (code, reply)
    assert "Thank you" in reply and "you-said-we-did" in reply
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert (response.channel, response.status) == ("sms", "complete")
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0
    assert notify.refused_tokens == 0
    # Notify's ids are kept only while its retries may come, like Twilio's (issue 14).
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1 + len(ANSWERS)
        later = datetime(2026, 6, 13, 9, 30)  # after SMS_INBOUND_REPLY_DAYS (2)
        sms_services.expire(later)
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 0


def test_the_same_notify_text_delivered_twice_at_once_sends_one_reply(
    app, client, notify, monkeypatch
):
    """Notify retries a callback it did not see answered, and the retry can come while the first
    is still being answered. Our reply goes through Notify's API (not in the callback's answer),
    so a reply sent for each copy would be a question texted twice: both copies held after their
    look until both have looked, then let go together; one answer, one reply."""
    make_open_round(app, channels=("web", "sms"))
    NotifyPhone(client, notify).say("BELONG")
    before = len(notify.of("sms"))
    held_after_first_call(monkeypatch, conversation, "use_read_only_copy", 2)
    same_id = "00000000-0000-4000-8000-000000000099"

    def deliver() -> int:
        with app.app_context():
            copy = NotifyPhone(app.test_client(), notify).callback(
                TEXTS["Q1"], notification_id=same_id
            )
            return copy.status_code

    statuses = in_threads([deliver, deliver])
    monkeypatch.undo()
    assert statuses == [204, 204]
    assert len(notify.of("sms")) - before == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1
    again = NotifyPhone(client, notify).callback(TEXTS["Q1"], notification_id=same_id)
    assert again.status_code == 204 and len(notify.of("sms")) - before == 1


def test_stop_through_notify_is_confirmed_by_us(app, client, notify):
    make_open_round(app, channels=("web", "sms"))
    reply = NotifyPhone(client, notify).say("STOP")
    assert "no more texts" in reply


def test_the_phone_simulator_works_with_notify_and_texts_no_real_phone(app, notify, logged_in_as):
    make_open_round(app, channels=("web", "sms"))
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    client.post("/staff/sms/simulator", data={"number": "07700 900001", "message": "BELONG"})
    page = client.get("/staff/sms/simulator").get_data(as_text=True)
    assert "anonymous" in page
    assert notify.sent == []  # the reply came back to the simulator, not through Notify
