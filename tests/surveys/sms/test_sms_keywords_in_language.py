"""STOP is confirmed in the language the conversation was in (the test languages stand in for
real ones); with no conversation (its language went with it) the confirmation is English."""

from __future__ import annotations

import pytest

from app.core.languages import gettext, speaking
from app.messaging.encoding import UCS_2, segments
from app.messaging.keywords import STOP_CONFIRMATION
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)


@pytest.fixture
def round_id(app):
    return make_open_round(app, channels=("web", "sms"))


@pytest.fixture
def phone(client):
    return Phone(client)


def _in(app, code: str) -> str:
    with app.test_request_context(), speaking(code):
        return gettext(STOP_CONFIRMATION)


@pytest.mark.parametrize("code", ["en-XA", "ar-XB"])
def test_stop_during_a_conversation_is_confirmed_in_its_language(app, phone, round_id, code):
    expected = _in(app, code)
    assert expected != STOP_CONFIRMATION  # the catalogue has it
    phone.say(f"LANG {code[-2:]}")
    assert replies(phone.text("Stop texting me!!")) == [expected]
    if code == "ar-XB":
        assert segments(expected)[0] == UCS_2


def test_stop_with_no_conversation_is_confirmed_in_english(app, phone, round_id):
    assert replies(phone.text("please stop texting me")) == [STOP_CONFIRMATION]
