"""Text conversations in other languages: LANG, a language's own keyword, and what is texted back.

The test languages stand in for real ones: en-XA (accented) and ar-XB (right to left, in
right-to-left overrides, so every reply is UCS-2). Neither is checked by a translator, so help
and safeguarding wording must stay English in both.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.encoding import GSM_7, UCS_2, segments
from app.messaging.models import ReplyTally
from surveys.sms.models import SmsConversation
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)

RLO = "\u202e"


@pytest.fixture
def round_id(app):
    return make_open_round(app, channels=("web", "sms"))


@pytest.fixture
def phone(client):
    return Phone(client)


def _language(app) -> str | None:
    with app.app_context():
        return db.session.scalar(sa.select(SmsConversation.language))


def test_lang_lists_the_languages_each_in_its_own_words(app, phone, round_id):
    reply = phone.say("LANG")
    assert "LANG" in reply
    for code, name in (("EN", "English"), ("XA", "[Ëñĝļîšĥ] (test)")):
        assert f"{code} {name}" in reply
    assert f"XB {RLO}English" in reply  # the RTL test language's name in its own script


def test_lang_and_a_code_starts_the_survey_in_that_language_and_keeps_it(app, phone, round_id):
    first = phone.say("lang xa")
    assert "1/9" in first
    assert "đåţé öƒ ƀîŕţĥ" in first  # "date of birth", accented
    assert "date of birth" not in first
    assert _language(app) == "en-XA"
    second = phone.say(TEXTS["Q1"])
    assert "2/9" in second and "Ŵĥîçĥ" in second  # "Which is most like you now?"
    assert "Which" not in second


def test_a_keyword_in_arabic_script_starts_the_survey_right_to_left(app, phone, round_id):
    reply = phone.say("انتماء")
    assert "1/9" in reply and RLO in reply
    assert _language(app) == "ar-XB"
    # A reply in a right-to-left script is UCS-2, and its cost is counted as UCS-2 segments.
    with app.app_context():
        tally = db.session.scalar(sa.select(ReplyTally))
        assert tally is not None and tally.texts == 1
        text = "\n\n".join(replies(phone.text(TEXTS["Q1"])))
        db.session.expire_all()
        tally = db.session.scalar(sa.select(ReplyTally))
    assert segments(text)[0] == UCS_2
    assert tally.texts == 2 and tally.segments > 2


def test_choosing_a_language_mid_conversation_re_asks_the_question_in_it(app, phone, round_id):
    assert "date of birth" in phone.say("BELONG")
    phone.say(TEXTS["Q1"])
    switched = phone.say("LANG XA")
    assert "2/9" in switched and "Ŵĥîçĥ" in switched
    back = phone.say("LANG EN")
    assert "2/9" in back and "Which is most like you now?" in back
    assert _language(app) is None


def test_the_reply_words_stay_english_in_every_language(app, phone, round_id):
    phone.say("BELONGXA")
    assert "2/9" in phone.say("SKIP")
    assert "1/9" in phone.say("BACK")


def test_help_and_safeguarding_stay_english_in_an_unchecked_language(app, phone, round_id):
    phone.say("BELONGXB")
    help_reply = phone.say("HELP")
    assert "Samaritans 116 123. Text SHOUT to 85258. All free. In danger, call 999." in help_reply
    assert "Reply SKIP to skip, BACK to go back, STOP to stop." in help_reply
    for code in ("Q1", "Q2", "Q3"):
        phone.say(TEXTS[code])
    reply = phone.say("I want to kill myself")
    assert "Thank you for telling us. Get help now:" in reply
    assert "In danger, call 999." in reply
    assert RLO in reply  # the next question is still in the conversation's language


def test_english_conversations_are_unchanged_without_other_languages(app, phone, round_id):
    app.config["OFFER_TEST_LANGUAGES"] = False
    first = phone.say("BELONG")
    assert "LANG" not in first
    assert phone.say("BELONGXA") != first  # not a keyword where en-XA is not offered
    reply = phone.say("LANG")
    assert "EN English" in reply and "XA" not in reply


# --- Segments: the one rule (app/messaging/encoding.py) with other scripts -----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا", (UCS_2, 1)),
        ("ب" * 70, (UCS_2, 1)),
        ("ب" * 71, (UCS_2, 2)),
        ("ب" * 134, (UCS_2, 2)),
        ("ب" * 135, (UCS_2, 3)),
        ("ب" * 68 + "😀", (UCS_2, 1)),  # 68 + 2 units = 70
        ("ب" * 69 + "😀", (UCS_2, 2)),  # 71 units
        ("Reply 1 {or} 2 [or] SKIP ~ €5", (GSM_7, 1)),
        ("€" * 80, (GSM_7, 1)),
        ("€" * 79 + "a" * 2, (GSM_7, 1)),  # 158 + 2 = 160 septets
        ("€" * 80 + "a", (GSM_7, 2)),
        ("Reply 1 or 2 €" + "ب", (UCS_2, 1)),  # one Arabic letter: all UCS-2, € is one unit
    ],
)
def test_segments_with_arabic_emoji_and_gsm_extension_characters(text, expected):
    assert segments(text) == expected
