"""STOP, START and HELP: one list, asked before, during and after a survey conversation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from app.core.extensions import db
from app.messaging.keywords import (
    STOP_CONFIRMATION,
    Keyword,
    classify,
    twilio_answers,
)
from app.messaging.models import OptOut
from surveys.models import Response, SurveyRound
from surveys.sms.models import SmsConversation
from surveys.sms.services import invite
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)

STOP_PHRASINGS = [
    "STOP",
    "stopall",
    "Unsubscribe",
    "cancel",
    "END",
    "quit",
    "OPTOUT",
    "opt out",
    "revoke",
    "please stop texting me",
    "Stop texting me",
    "stop sending me messages",
    "don't text me again",
    "no more texts",
    "leave me alone",
    "please stop",
    "will you stop messaging me",
]


@pytest.mark.parametrize("text", STOP_PHRASINGS)
def test_every_way_of_saying_stop_is_stop(text):
    assert classify(text) == Keyword.STOP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("START", Keyword.START),
        ("unstop", Keyword.START),
        ("HELP", Keyword.HELP),
        ("info", Keyword.HELP),
        ("who is this?", Keyword.HELP),
        ("stop moving me around", None),
        ("help me", None),  # may be a disclosure: the reply reader decides
        ("BELONG", None),
        ("yes", None),
        ("", None),
        (None, None),
    ],
)
def test_start_help_and_words_that_are_not_keywords(text, expected):
    assert classify(text) == expected


def _variant(phrase: str, draw) -> str:
    separators = st.text(alphabet=" \t.,!?-*~", min_size=1, max_size=3)
    edges = st.text(alphabet=" .,!?-*~\n🛑", max_size=3)
    words = [
        "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in w) for w in phrase.split()
    ]
    text = words[0]
    for word in words[1:]:
        text += draw(separators) + word
    return draw(edges) + text + draw(edges)


@st.composite
def stop_variants(draw):
    return _variant(draw(st.sampled_from(STOP_PHRASINGS)), draw)


@given(stop_variants())
def test_any_case_spacing_or_punctuation_variant_of_a_stop_phrase_is_stop(text):
    assert classify(text) == Keyword.STOP, text


def test_only_twilios_exact_keywords_are_answered_by_twilio():
    assert twilio_answers("STOP") and twilio_answers(" quit ") and twilio_answers("Unsubscribe")
    assert not twilio_answers("please stop texting me")
    assert not twilio_answers("Stop.")


# --- Through the webhook -------------------------------------------------------------------


@pytest.fixture
def round_id(app):
    return make_open_round(app, channels=("web", "sms"))


@pytest.fixture
def phone(client):
    return Phone(client)


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count(model.id)))
            for model in (OptOut, Response, SmsConversation)
        )


def test_please_stop_texting_me_before_a_conversation_opts_out_and_starts_nothing(
    app, phone, round_id
):
    assert replies(phone.text("please stop texting me")) == [STOP_CONFIRMATION]
    assert _counts(app) == (1, 0, 0)
    assert phone.say("BELONG") == ""  # opted out: nothing starts until START
    assert _counts(app) == (1, 0, 0)


@pytest.mark.parametrize("text", ["please stop texting me", "Stop texting me", "OPTOUT"])
def test_an_invited_number_saying_stop_opts_out_and_starts_no_survey(app, phone, round_id, text):
    with app.app_context():
        invite(phone.number, db.session.get(SurveyRound, round_id))
    assert replies(phone.text(text)) == [STOP_CONFIRMATION]
    assert _counts(app) == (1, 0, 0)


def test_twilios_own_keywords_get_no_second_confirmation(app, phone, round_id):
    with app.app_context():
        invite(phone.number, db.session.get(SurveyRound, round_id))
    assert replies(phone.text("STOP")) == []  # Twilio has answered it
    assert _counts(app) == (1, 0, 0)


def test_stop_during_and_after_a_conversation_is_confirmed_once(app, phone, round_id):
    phone.say("BELONG")
    assert replies(phone.text("Stop texting me!!")) == [STOP_CONFIRMATION]
    assert _counts(app)[0] == 1 and _counts(app)[2] == 0
    assert replies(phone.text("I said stop texting me")) == []  # not a keyword, and opted out
    assert replies(phone.text("please stop")) == []  # already confirmed
    assert "again" in phone.say("START")
    assert phone.say("leave me alone") == STOP_CONFIRMATION  # after: a new opt-out
    assert _counts(app)[0] == 1
