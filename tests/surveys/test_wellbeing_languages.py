"""The ONS4 module in the test languages: a survey in en-XA or ar-XB asks the well-being
questions in that language, on the web and by text, and stores the same 0-10 scores; the
English wording stays the ONS's own, word for word."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.core import catalogues
from app.core.extensions import db
from surveys.models import Response
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import (
    Phone,
    twilio_app,  # noqa: F401 - the app fixture, with fake Twilio
)
from tests.surveys.test_wellbeing import ONS_WORDING, SCORES, _ons
from tests.surveys.web.test_web_survey import BASE, answer_all


@pytest.fixture
def round_id(app) -> int:
    return make_open_round(app, channels=("web", "sms"), wellbeing=True)


def _stored(app, channel: str) -> dict[str, object]:
    with app.app_context():
        response = db.session.scalar(sa.select(Response).where(Response.channel == channel))
        return {a.question.code: a.value for a in response.answers}


@pytest.mark.parametrize(
    ("code", "transform"), [("en-XA", catalogues.accented), ("ar-XB", catalogues.mirrored)]
)
def test_the_web_survey_asks_the_wellbeing_questions_in_the_chosen_language(
    app,
    client,
    round_id,
    code,
    transform,
):
    client.get(f"{BASE}?lang={code}")
    answer_all(client)
    page = client.get(f"{BASE}/q/ONS1").text
    assert transform(ONS_WORDING["ONS1"]) in page
    assert ONS_WORDING["ONS1"] not in page
    assert transform("not at all satisfied") in page
    for question, score in SCORES.items():
        client.post(f"{BASE}/q/{question}", data={"action": "answer", "score": str(score)})
    assert transform(ONS_WORDING["ONS4"]) in html.unescape(client.get(f"{BASE}/check").text)
    assert client.post(f"{BASE}/check").headers["Location"].endswith("/thanks")
    assert _ons(_stored(app, "web")) == {q: {"score": s} for q, s in SCORES.items()}


def test_in_english_the_wording_is_the_ons_own(app, client, round_id):
    answer_all(client)
    for question, wording in ONS_WORDING.items():
        assert wording in html.unescape(client.get(f"{BASE}/q/{question}").text)


def test_a_text_conversation_in_ar_xb_asks_the_wellbeing_questions_translated(
    app,
    client,
    round_id,
):
    phone = Phone(client)
    phone.say("lang xb")
    for code in TEXTS:
        reply = phone.say(TEXTS[code])
    assert "10/13" in reply
    assert "\u202esatisfied\u202c" in reply and "satisfied are you" not in reply  # word by word
    for score in SCORES.values():
        phone.say(str(score))
    assert _ons(_stored(app, "sms")) == {q: {"score": s} for q, s in SCORES.items()}
