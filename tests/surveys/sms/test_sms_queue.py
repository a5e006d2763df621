"""The outbound queue and its worker: quiet hours, opt-outs, retries, status callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.messaging import quiet_hours
from app.messaging.backends import PermanentSendError, TemporarySendError, TwilioBackend
from app.messaging.models import OptOut, OutboundMessage, UnreachableNumber
from app.messaging.services import opt_out, phone_hash, queue_text
from app.messaging.worker import Worker, recover_leases
from tests.conftest import build_app
from tests.surveys.sms.twilio_fakes import (
    BASE_URL,
    STATUS,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    signature,
)

LONDON = (time(21, 0), time(9, 0), "Europe/London")
NUMBER = "+447700900123"
LONG_AGO = datetime(2026, 1, 1)


def queue(to, body, **kwargs):
    """queue_text, due from long ago (the tests' clocks are set to dates in 2026)."""
    return queue_text(to, body, not_before=LONG_AGO, **kwargs)


def utc(*args) -> datetime:
    return datetime(*args)  # naive UTC, as stored


# --- Quiet hours around both clock changes (2026: 29 March and 25 October) --------------------


@pytest.mark.parametrize(
    ("instant", "quiet"),
    [
        (utc(2026, 3, 28, 8, 30), True),  # 08:30 GMT, Saturday before the change
        (utc(2026, 3, 29, 0, 30), True),  # 00:30 GMT, just before clocks go forward
        (utc(2026, 3, 29, 8, 30), False),  # 09:30 BST: the same UTC time is now allowed
        (utc(2026, 3, 29, 7, 59), True),  # 08:59 BST
        (utc(2026, 3, 29, 8, 0), False),  # 09:00 BST
        (utc(2026, 3, 29, 19, 59), False),  # 20:59 BST
        (utc(2026, 3, 29, 20, 0), True),  # 21:00 BST
        (utc(2026, 10, 24, 8, 30), False),  # 09:30 BST, Saturday before the change back
        (utc(2026, 10, 25, 0, 30), True),  # 01:30 BST, the first of the repeated hour
        (utc(2026, 10, 25, 1, 30), True),  # 01:30 GMT, the second of the repeated hour
        (utc(2026, 10, 25, 8, 30), True),  # 08:30 GMT: the same UTC time is now quiet
        (utc(2026, 10, 25, 9, 0), False),  # 09:00 GMT
        (utc(2026, 10, 25, 20, 59), False),  # 20:59 GMT
        (utc(2026, 10, 25, 21, 0), True),  # 21:00 GMT
    ],
)
def test_quiet_hours_follow_the_clocks_in_london(instant, quiet):
    assert quiet_hours.is_quiet(instant, *LONDON) is quiet


@pytest.mark.parametrize(
    ("instant", "resume"),
    [
        (utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 8, 0)),  # 21:00 GMT -> 09:00 BST
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 8, 0)),
        (utc(2026, 10, 24, 20, 30), utc(2026, 10, 25, 9, 0)),  # 21:30 BST -> 09:00 GMT
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 9, 0)),
        (utc(2026, 6, 1, 12, 0), utc(2026, 6, 1, 12, 0)),  # not quiet: now
    ],
)
def test_quiet_hours_end_at_nine_local_time_on_either_side_of_a_change(instant, resume):
    assert quiet_hours.quiet_until(instant, *LONDON) == resume


# --- The worker ------------------------------------------------------------------------


class Clock:
    """A clock the worker reads and sleeps on, so tests control time."""

    def __init__(self, start: datetime):
        self.now = start.replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class RecordingBackend:
    name = "recording"

    def __init__(self, errors=None):
        self.sent: list[tuple[str, str]] = []
        self.errors = list(errors or [])

    def send(self, to, body, *, status_callback=None, reference=None):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"

    def find_sent(self, to, body, *, reference, since):
        return None  # holds nothing but what send() recorded in this test


def _worker(app, backend, clock) -> Worker:
    return Worker(app, backend=backend, clock=clock, sleep=clock.sleep, batch=10, threads=1)


DAYTIME = utc(2026, 6, 1, 11, 0)  # 12:00 BST


def _status(app, message_id):
    with app.app_context():
        return db.session.get(OutboundMessage, message_id)


def test_each_queued_text_is_sent_once_and_records_its_encoding_and_segments(app):
    with app.app_context():
        plain = queue(NUMBER, "Hello, it's the survey").id
        curly = queue("07700 900124", "Hello, it\u2019s the survey").id
    backend, clock = RecordingBackend(), Clock(DAYTIME)
    worker = _worker(app, backend, clock)
    worker.run(once=True)
    worker.run(once=True)
    assert sorted(to for to, _ in backend.sent) == ["+447700900123", "+447700900124"]
    assert (_status(app, plain).encoding, _status(app, plain).segments) == ("GSM-7", 1)
    assert (_status(app, curly).encoding, _status(app, curly).segments) == ("UCS-2", 1)
    assert _status(app, plain).status == "sent" and _status(app, plain).provider_sid


def test_an_opted_out_number_is_never_texted(app, client):
    with app.app_context():
        queued = queue(NUMBER, "Reminder").id
        opt_out("07700 900123")  # however the number was written
        db.session.commit()
        assert queue(NUMBER, "Another reminder") is None
    backend, clock = RecordingBackend(), Clock(DAYTIME)
    _worker(app, backend, clock).run(once=True)
    assert backend.sent == []
    assert _status(app, queued).status == "cancelled"


def test_an_opt_out_after_queueing_is_honoured_at_send_time(app):
    with app.app_context():
        queued = queue(NUMBER, "Reminder").id
        db.session.add(OptOut(phone_hash=phone_hash(NUMBER), source="staff"))  # do not contact
        db.session.commit()
    backend, clock = RecordingBackend(), Clock(DAYTIME)
    _worker(app, backend, clock).run(once=True)
    assert backend.sent == []
    message = _status(app, queued)
    assert (message.status, message.error_code) == ("cancelled", "opted_out")


def test_quiet_hours_hold_texts_but_not_replies_in_a_live_conversation(app):
    with app.app_context():
        invitation = queue(NUMBER, "Invitation").id
        reply = queue("07700 900124", "Next question", is_conversation_reply=True).id
    backend, clock = RecordingBackend(), Clock(utc(2026, 3, 28, 22, 0))  # 22:00 GMT
    worker = _worker(app, backend, clock)
    worker.run(once=True)
    assert [to for to, _ in backend.sent] == ["+447700900124"]
    assert _status(app, invitation).status == "queued"
    clock.now = utc(2026, 3, 29, 7, 59).replace(tzinfo=UTC).timestamp()  # 08:59 BST
    worker.run(once=True)
    assert len(backend.sent) == 1
    clock.now = utc(2026, 3, 29, 8, 0).replace(tzinfo=UTC).timestamp()  # 09:00 BST
    worker.run(once=True)
    assert [to for to, _ in backend.sent] == ["+447700900124", "+447700900123"]
    assert _status(app, reply).status == "sent"


def test_temporary_errors_are_retried_with_backoff_and_permanent_ones_are_not(app):
    with app.app_context():
        flaky = queue(NUMBER, "Try again").id
    backend = RecordingBackend([TemporarySendError("busy", "20429")])
    clock = Clock(DAYTIME)
    worker = _worker(app, backend, clock)
    worker.run(once=True)
    message = _status(app, flaky)
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at == DAYTIME + timedelta(seconds=30)
    worker.run(once=True)
    assert backend.sent == []  # not before its time
    clock.sleep(30)
    worker.run(once=True)
    assert len(backend.sent) == 1 and _status(app, flaky).status == "sent"

    with app.app_context():
        bad = queue("07700 900125", "No such phone").id
    backend.errors = [PermanentSendError("invalid", "21211", unreachable=True)]
    worker.run(once=True)
    assert _status(app, bad).status == "failed" and _status(app, bad).attempts == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(UnreachableNumber.id))) == 1
        assert queue("07700 900125", "Again?") is None


def test_a_dead_workers_texts_go_back_to_the_queue_once_its_lease_runs_out(app):
    with app.app_context():
        unsent = queue(NUMBER, "Claimed, not started").id
        started = queue("07700 900124", "Claimed and started").id
        past = datetime(2026, 1, 1)
        for message_id, send_started in ((unsent, None), (started, past)):
            message = db.session.get(OutboundMessage, message_id)
            message.status, message.lease_until = "sending", past
            message.send_started_at = send_started
        db.session.commit()
        assert recover_leases(datetime(2026, 1, 2)) == 1
    assert _status(app, unsent).status == "queued"
    # Its send had started: it stays claimable, for a worker to ask the provider first
    # (tests/app/messaging/test_worker.py), never "failed: interrupted" for good.
    assert _status(app, started).status == "sending"


def test_the_twilio_backend_sends_through_the_sdk_and_classifies_errors(app):
    with FakeTwilio(fail_with={"+447700900999": (400, 21614)}) as fake:
        backend = TwilioBackend(
            TEST_ACCOUNT_SID,
            TEST_AUTH_TOKEN,
            messaging_service_sid="MG" + "0" * 32,
            validity_period=14400,
            http_client=fake.http_client(),
        )
        sid = backend.send(NUMBER, "Hello", status_callback="http://localhost/cb")
        assert sid.startswith("SM")
        [(_, form)] = fake.sent
        assert form["To"] == NUMBER and form["ValidityPeriod"] == "14400"
        assert form["MessagingServiceSid"].startswith("MG")
        with pytest.raises(PermanentSendError) as refused:
            backend.send("+447700900999", "Landline?")
        assert refused.value.unreachable and refused.value.code == "21614"


# --- Status callbacks ---------------------------------------------------------------------


@pytest.fixture
def signed_app(database_uri):
    app = build_app(database_uri, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN)
    yield app
    with app.app_context():
        db.engine.dispose()


def _callback(client, ref, **params):
    path = f"{STATUS}?ref={ref}"
    headers = {"X-Twilio-Signature": signature(BASE_URL + path, params)}
    return client.post(path, data=params, headers=headers)


def test_status_callbacks_record_delivery_and_mark_unreachable_numbers(signed_app):
    with signed_app.app_context():
        delivered = queue(NUMBER, "One").id
        failed = queue("07700 900124", "Two").id
    client = signed_app.test_client()
    sid = "SM" + "1" * 32
    ok = _callback(client, delivered, MessageSid=sid, MessageStatus="delivered", To=NUMBER)
    assert ok.status_code == 204
    late = _callback(client, delivered, MessageSid=sid, MessageStatus="sent", To=NUMBER)
    assert late.status_code == 204
    assert _status(signed_app, delivered).status == "delivered"  # never moves backwards
    _callback(
        client,
        failed,
        MessageSid="SM" + "2" * 32,
        MessageStatus="undelivered",
        ErrorCode="30006",
        To="+447700900124",
    )
    assert _status(signed_app, failed).status == "undelivered"
    with signed_app.app_context():
        assert db.session.scalar(sa.select(UnreachableNumber.error_code)) == "30006"
    forged = client.post(
        f"{STATUS}?ref={delivered}",
        data={"MessageSid": sid, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert forged.status_code == 403
    assert _status(signed_app, delivered).status == "delivered"
