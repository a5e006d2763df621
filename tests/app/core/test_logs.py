"""Logs hold no client address, no invitation or resume code, no answers and no message bodies."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from app.core import logs
from app.core.extensions import db
from app.outreach.contacts.models import Contact
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import new_code
from surveys.safeguarding.models import SafeguardingFlag
from tests.conftest import build_app
from tests.surveys.conftest import SLUG, make_open_round
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, Phone
from tests.surveys.web.test_web_survey import answer_all

ADDRESS = "203.0.113.77"


@contextmanager
def _captured() -> Iterator[io.StringIO]:
    """What the app logs meanwhile, as production writes it (JSON lines with request context)."""
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.addFilter(logs.RequestContext())
    capture.setFormatter(logs.JsonLines())
    logging.getLogger().addHandler(capture)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(capture)


def _journey_log(app) -> tuple[str, str]:
    """Answer the whole survey by a personal link, from ADDRESS; return what was logged."""
    round_id = make_open_round(app)
    with app.app_context():
        contact = Contact(name="Testy Fictional", name_key="testy fictional")
        db.session.add(contact)
        db.session.flush()
        code = new_code()
        db.session.add(Invitation(round_id=round_id, contact_id=contact.id, code=code))
        db.session.commit()
    with _captured() as stream:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = ADDRESS
        client.environ_base["HTTP_USER_AGENT"] = "CheapPhone/1.0 (a telltale agent)"
        assert client.get(f"/i/{code}").status_code == 302
        answer_all(client)
        client.post(f"/s/{SLUG}/resume", data={"code": "ABCD-EFGH-JKLM"})
    return stream.getvalue(), code


def test_a_journey_by_personal_link_logs_no_address_code_agent_or_answer(database_uri):
    app = build_app(database_uri, LOG_FORMAT="json")
    text, code = _journey_log(app)
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) > 10  # every request has its line
    assert {"time", "level", "request_id", "route", "message"} <= set(lines[0])
    assert any(line["route"] == "/i/<code>" for line in lines)
    for forbidden in (ADDRESS, code, "CheapPhone", "ABCD-EFGH-JKLM", "Learning to cook"):
        assert forbidden not in text, forbidden


def test_a_text_conversation_with_a_disclosure_logs_no_number_or_words(database_uri):
    app = build_app(
        database_uri,
        LOG_FORMAT="json",
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
    )
    make_open_round(app, channels=("web", "sms"))
    phone = Phone(app.test_client(), number="+447700900456")
    with _captured() as stream:
        phone.say("BELONG")
        phone.say("14/2/2007")
        phone.say("6 Living with my nan")
        phone.say("2")
        reply = phone.say("i feel like ending it")
    assert "999" in reply or "116 123" in reply  # the help was shown at once
    with app.app_context():
        assert db.session.query(SafeguardingFlag).count() == 1  # and the lead was flagged
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line["route"] == "/sms/twilio/inbound" for line in lines)
    for forbidden in ("7700900456", "07700 900456", "ending it", "Living with my nan", "14/2"):
        assert forbidden not in text, forbidden


def test_production_logs_are_json_and_development_logs_are_text():
    from config import DevelopmentConfig, ProductionConfig

    assert ProductionConfig.LOG_FORMAT == "json"
    assert DevelopmentConfig.LOG_FORMAT == "text"
