"""The webhook writes its TwiML reply itself (surveys/sms/conversation.py ``twiml``): it must be
exactly what Twilio's SDK writes for the same texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.twiml.messaging_response import MessagingResponse

from surveys.sms.conversation import twiml


def _sdk(messages: list[str]) -> str:
    reply = MessagingResponse()
    text = "\n\n".join(m for m in messages if m)
    if text:
        reply.message(text)
    return str(reply)


@given(st.lists(st.text(), max_size=3))
def test_the_reply_is_the_sdks_twiml_for_any_texts(messages):
    assert twiml(messages) == _sdk(messages)


def test_markup_in_a_reply_is_text_not_xml():
    written = twiml(["Tom & Jerry <Redirect>x</Redirect>", "", "5 > 4"])
    assert written == _sdk(["Tom & Jerry <Redirect>x</Redirect>", "", "5 > 4"])
    assert "<Redirect>" not in written
