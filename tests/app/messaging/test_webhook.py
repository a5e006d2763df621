"""The Twilio signature check (app/messaging/webhook.py) keeps the SDK's rules while computing
one signature for the usual request: Twilio's URL with its port is still accepted, and a header
that is not a signature at all is refused, not an error."""

from __future__ import annotations

import pytest

from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    INBOUND,
    Phone,
    replies,
    signature,
    twilio_app,  # noqa: F401 - the app fixture
)


@pytest.fixture
def phone(client):
    return Phone(client)


def test_a_text_signed_for_the_url_with_its_port_is_answered(app, phone):
    make_open_round(app, channels=("web", "sms"))
    params = phone.params("BELONG")
    headers = {"X-Twilio-Signature": signature("http://localhost:80" + INBOUND, params)}
    answered = phone.client.post(INBOUND, data=params, headers=headers)
    assert answered.status_code == 200
    assert "1/9" in "\n".join(replies(answered))


@pytest.mark.parametrize("header", ["", "bad", "é" * 28, "x" * 500])
def test_a_header_that_is_not_the_signature_is_refused(app, phone, header):
    params = phone.params("BELONG")
    refused = phone.client.post(INBOUND, data=params, headers={"X-Twilio-Signature": header})
    assert refused.status_code == 403
