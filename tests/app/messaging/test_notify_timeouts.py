"""GOV.UK Notify took the message but its answer came too late: sent once, never twice.

Notify's client reports every network error as a 503, which would look like "busy, send it
again". The backend reads the error's cause instead: a timeout after the request left is
"outcome unknown", so the text (or letter) is looked up by our reference before any resend
(app/messaging/backends.py). The fake Notify accepts the message and answers only after the
client's timeout.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.clock import utcnow
from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.messaging.services import queue_text
from app.messaging.worker import Worker
from app.outreach.contacts.models import ContactMessage
from app.outreach.invitations import letters
from surveys.models import SurveyRound
from tests.app.messaging.fake_notify import FakeNotify, settings
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.conftest import build_app
from tests.surveys.conftest import make_open_round

SLOW = "+447700900777"


@pytest.fixture
def notify():
    with FakeNotify(stall={SLOW, "letter"}, stall_seconds=1.5) as fake:
        yield fake


@pytest.fixture
def app(database_uri, notify):
    app = build_app(
        database_uri,
        NOTIFY_TIMEOUT_SECONDS=1,
        **settings(notify, SMS_BACKEND="notify", LETTER_BACKEND="notify"),
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_text_notify_took_but_answered_too_late_is_found_not_sent_again(app, notify):
    with app.app_context():
        message_id = queue_text("07700 900777", "Your survey link").id
    first = Worker(app, batch=10).run(once=True)
    assert first.sent == 0 and len(notify.of("sms")) == 1  # Notify has it; we do not know
    with app.app_context():
        waiting = db.session.get(OutboundMessage, message_id)
        assert waiting.status == "queued" and waiting.send_started_at is not None
        assert waiting.provider_sid is None
        later = utcnow() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        for _ in range(3):  # however often the worker comes back to it
            Worker(app, batch=10).run(once=True)
    assert len(notify.of("sms")) == 1 and notify.lookups >= 1  # sent once
    with app.app_context():
        found = db.session.get(OutboundMessage, message_id)
        assert (found.status, found.provider_sid) == ("sent", notify.ids[0])


def test_a_text_that_never_reached_notify_is_simply_sent_again(database_uri):
    # Nothing listens on this port: refused at once, so it cannot have been sent.
    with FakeNotify() as fake:
        pass
    app = build_app(database_uri, **settings(fake, SMS_BACKEND="notify"))
    with app.app_context():
        message_id = queue_text("07700 900123", "Hello").id
    Worker(app, batch=10).run(once=True)
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        assert message.status == "queued" and message.send_started_at is None
        assert message.error_code == "network"
        db.session.remove()
        db.engine.dispose()


def test_a_letter_notify_took_but_answered_too_late_is_recorded_not_resent(app, notify):
    round_id = make_open_round(app)
    add_contacts(app, 1)
    invite_all(app, round_id, ("letter",))
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert letters.send_by_notify(survey_round) == (1, 0)  # found by its reference
        assert letters.send_by_notify(survey_round) == (0, 0)
        (detail,) = db.session.scalars(sa.select(ContactMessage.detail))
        assert detail == f"GOV.UK Notify {notify.ids[0]}"
    assert len(notify.of("letter")) == 1
