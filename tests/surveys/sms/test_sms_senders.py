"""Who gets a reply: only mobiles, never short codes, sender names or our own number; and a
picture message's caption is read as its text."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from surveys.sms.models import SmsConversation
from tests.conftest import build_app
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, Phone, replies

OUR_NUMBER = "+447700900000"


@pytest.fixture
def app(database_uri):
    app = build_app(
        database_uri,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_FROM_NUMBER=OUR_NUMBER,
    )
    make_open_round(app, channels=("web", "sms"))
    return app


def _conversations(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SmsConversation))


@pytest.mark.parametrize("sender", ["60060", "NORTHBRIDGE", OUR_NUMBER, "+441614960000"])
def test_a_sender_that_is_not_a_mobile_gets_no_reply_and_starts_nothing(app, sender):
    phone = Phone(app.test_client(), number=sender)
    assert replies(phone.text("BELONG")) == []
    assert _conversations(app) == 0


def test_a_mobile_still_gets_its_reply(app):
    phone = Phone(app.test_client())
    assert replies(phone.text("BELONG"))
    assert _conversations(app) == 1


def test_a_picture_with_a_caption_is_read_by_its_caption(app):
    phone = Phone(app.test_client())
    reply = "\n".join(replies(phone.text("BELONG", NumMedia="1")))
    assert "only read text" not in reply
    assert _conversations(app) == 1
    bare = "\n".join(replies(phone.text("", NumMedia="1")))
    assert "only read text" in bare
