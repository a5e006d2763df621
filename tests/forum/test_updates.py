"""Telling young people what changed: only people who opted in, through the SMS queue, never in
quiet hours, and never to a number that opted out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging import mail
from app.messaging.models import OutboundMessage
from app.messaging.services import opt_out
from app.messaging.worker import Worker
from forum import services
from surveys.models import ContactRequest
from tests.forum.conftest import worker
from tests.surveys.conftest import make_open_round

ASKED = "+447700900101"  # asked on the survey's thank-you page, with consent
NO_CONSENT = "+447700900102"
FORUM_ONLY = "+447700900103"  # asked to join the forum, not for updates
MEMBER = "+447700900104"  # forum member who agreed to contact
MEMBER_NO = "+447700900105"  # forum member who did not
MEMBER_LEFT = "+447700900106"
OPTED_OUT = "+447700900107"
MEMBER_STOPS_LATER = "+447700900108"


class Clock:
    def __init__(self, start: datetime):
        self.now = start.replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class RecordingBackend:
    name = "recording"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, to, body, *, status_callback=None, reference=None):
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"


def _people(app) -> None:
    round_id = make_open_round(app)
    with app.app_context():
        for kind, phone, email, consent in [
            ("updates", ASKED, "", True),
            ("updates", NO_CONSENT, "", False),
            ("forum", FORUM_ONLY, "", True),
            ("updates", OPTED_OUT, "", True),
            ("updates", "", "asked@example.org", True),
            ("updates", "", "no.consent@example.org", False),
        ]:
            db.session.add(
                ContactRequest(
                    round_id=round_id,
                    kind=kind,
                    name="A",
                    phone=phone,
                    email=email,
                    consent=consent,
                )
            )
        opt_out(OPTED_OUT)
        db.session.commit()
        for name, phone, consent, left in [
            ("Member Yes", MEMBER, True, None),
            ("Member No", MEMBER_NO, False, None),
            ("Member Left", MEMBER_LEFT, True, date(2025, 1, 1)),
            ("Member Stops", MEMBER_STOPS_LATER, True, None),
        ]:
            services.save_member(
                None,
                {
                    "name": name,
                    "phone": phone,
                    "contact_preference": "sms",
                    "consent_contact": consent,
                    "joined_on": date(2024, 1, 1),
                    "left_on": left,
                },
            )


def test_updates_go_only_to_opted_in_people_through_the_queue(app, worker_id):
    _people(app)
    mail.outbox.clear()
    with app.app_context():
        notice = services.send_update("We now run money workshops.", worker(worker_id))
        queued = db.session.scalars(sa.select(OutboundMessage)).all()
        numbers = sorted(m.to_number for m in queued)
        assert numbers == sorted([ASKED, MEMBER, MEMBER_STOPS_LATER])
        assert all(m.status == "queued" and not m.is_conversation_reply for m in queued)
        assert all("/you-said-we-did" in m.body and "STOP" in m.body for m in queued)
        assert (notice.texts_queued, notice.emails_sent, notice.skipped) == (3, 1, 1)
    assert [m["To"] for m in mail.outbox] == ["asked@example.org"]


def test_queued_updates_are_never_sent_in_quiet_hours_and_honour_a_later_opt_out(app, worker_id):
    _people(app)
    with app.app_context():
        services.send_update("We now run money workshops.", worker(worker_id))
        opt_out(MEMBER_STOPS_LATER)  # texts STOP after the update was queued
        db.session.commit()
        # Queued "now"; the worker's clock below is in the future, as time passes.
        db.session.execute(sa.update(OutboundMessage).values(next_attempt_at=datetime(2026, 1, 1)))
        db.session.commit()

    backend = RecordingBackend()
    clock = Clock(datetime(2026, 6, 1, 20, 30))  # 21:30 BST: quiet hours (21:00 to 09:00)
    sender = Worker(app, backend=backend, clock=clock, sleep=clock.sleep, batch=10)
    sender.run(once=True)
    assert backend.sent == []
    clock.now = datetime(2026, 6, 2, 7, 59, tzinfo=UTC).timestamp()  # 08:59 BST: still quiet
    sender.run(once=True)
    assert backend.sent == []
    clock.now = datetime(2026, 6, 2, 8, 0, tzinfo=UTC).timestamp()  # 09:00 BST
    sender.run(once=True)
    sender.run(once=True)
    assert sorted(to for to, _ in backend.sent) == sorted([ASKED, MEMBER])
    with app.app_context():
        stopped = db.session.scalar(
            sa.select(OutboundMessage).where(OutboundMessage.to_number == MEMBER_STOPS_LATER)
        )
        assert stopped is None or stopped.status == "cancelled"


def test_someone_who_asked_twice_gets_one_text(app, worker_id):
    _people(app)
    with app.app_context():
        round_id = db.session.scalar(sa.select(ContactRequest.round_id))
        db.session.add(
            ContactRequest(
                round_id=round_id, kind="updates", name="B", phone="07700 900104", consent=True
            )
        )
        db.session.commit()
        services.send_update("One.", worker(worker_id))
        to_member = db.session.scalar(
            sa.select(sa.func.count(OutboundMessage.id)).where(OutboundMessage.to_number == MEMBER)
        )
        assert to_member == 1
