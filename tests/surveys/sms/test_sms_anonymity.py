"""After a text conversation ends or expires, nothing links a phone (or its hash) to answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.services import phone_hash
from surveys.models import Response
from surveys.sms.models import SmsConversation
from surveys.sms.services import expire
from tests.conftest import build_app
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import TEST_AUTH_TOKEN, Phone

NUMBER = "+447700900123"


@pytest.fixture
def app(database_uri):
    app = build_app(database_uri, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN)
    make_open_round(app, channels=("web", "sms"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _dump(app) -> str:
    """Every value in every table, as text."""
    with app.app_context():
        rows = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                rows.append(" | ".join(str(v) for v in row))
        return "\n".join(rows)


def _links_to_response(app) -> list[str]:
    """Rows outside the answer tables that hold the hash, the number, or point at a response."""
    found = []
    with app.app_context():
        hashed = phone_hash(NUMBER)
        for table in db.metadata.sorted_tables:
            if table.name in ("response", "answer", "safeguarding_flag"):
                continue
            points_at_answers = [
                fk.parent.name
                for fk in table.foreign_keys
                if fk.column.table.name in ("response", "answer")
            ]
            for row in db.session.execute(sa.select(table)).mappings():
                values = " ".join(str(v) for v in row.values())
                if hashed in values or NUMBER in values or "7700900123" in values:
                    found.append(f"{table.name}: phone")
                if any(row[c] is not None for c in points_at_answers):
                    found.append(f"{table.name}: response")
    return found


def test_while_in_progress_only_the_conversation_row_holds_the_link(app):
    phone = Phone(app.test_client(), NUMBER)
    phone.say("BELONG")
    phone.say(TEXTS["Q1"])
    assert sorted(set(_links_to_response(app))) == [
        "sms_conversation: phone",
        "sms_conversation: response",
    ]
    assert NUMBER not in _dump(app) and "7700900123" not in _dump(app)


def test_after_the_conversation_completes_no_row_links_the_phone_to_the_response(app):
    phone = Phone(app.test_client(), NUMBER)
    phone.say("BELONG")
    for code in TEXTS:
        phone.say(TEXTS[code])
    with app.app_context():
        assert db.session.scalar(sa.select(Response.status)) == "complete"
    assert _links_to_response(app) == []
    dump = _dump(app)
    with app.app_context():
        hashed = phone_hash(NUMBER)
    assert NUMBER not in dump and "7700900123" not in dump and hashed not in dump


def test_after_a_stop_the_opt_out_holds_the_hash_but_nothing_links_it_to_answers(app):
    phone = Phone(app.test_client(), NUMBER)
    phone.say("BELONG")
    phone.say(TEXTS["Q1"])
    phone.text("STOP")
    assert _links_to_response(app) == ["sms_opt_out: phone"]


def test_after_the_conversation_expires_no_row_links_the_phone_to_the_response(app):
    phone = Phone(app.test_client(), NUMBER)
    phone.say("BELONG")
    phone.say(TEXTS["Q1"])
    with app.app_context():
        conversation = db.session.scalar(sa.select(SmsConversation))
        conversation.last_activity_at -= timedelta(days=7, minutes=1)
        db.session.commit()
        assert expire() == (1, 0)
    assert _links_to_response(app) == []
    with app.app_context():  # the answers themselves stay, anonymous
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
