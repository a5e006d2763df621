"""A disclosure texted in reply to a question that keeps no words: help at once, and a flag.

By text, people write what they need to say in whatever reply they are sending. A reply to the
date of birth, the yes/no question or a number that said "I want to kill myself" was never
screened: at the date of birth it was "not understood" (no help, no flag, and skipped the second
time); beside a "no" it was stored as "no" and the rest thrown away. (Found by an adversarial
review.)"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer
from surveys.safeguarding.models import SafeguardingFlag
from tests.surveys.sms.test_sms_conversation import TEXTS, phone, round_id  # noqa: F401
from tests.surveys.sms.twilio_fakes import twilio_app  # noqa: F401 - the app fixture

DISCLOSURE = "I want to kill myself"


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag)))


def test_a_disclosure_sent_as_the_date_of_birth_gets_help_and_a_flag(app, phone, round_id):  # noqa: F811
    phone.say("BELONG")  # question 1: the date of birth
    reply = phone.say(DISCLOSURE)
    assert "116 123" in reply and "1/9" in reply  # help first, then the question again
    [flag] = _flags(app)
    assert (flag.level, flag.said) == ("likely", DISCLOSURE)
    assert "2/9" in phone.say(TEXTS["Q1"])  # they answer it after all: the flag stays
    with app.app_context():
        answer = db.session.get(Answer, flag.answer_id)
        assert (answer.skipped, answer.value["age"]) == (False, 19)
    assert len(_flags(app)) == 1


def test_a_disclosure_beside_a_yes_or_no_gets_help_and_a_flag_keeping_the_words(
    app,
    phone,  # noqa: F811
    round_id,  # noqa: F811
):
    phone.say("BELONG")
    for code in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"):
        phone.say(TEXTS[code])
    words = "no. he hits me and I am scared to go home"
    reply = phone.say(words)  # the forum question: yes, no or not sure
    assert "116 123" in reply
    [flag] = _flags(app)
    assert flag.said == words
    with app.app_context():
        assert db.session.get(Answer, flag.answer_id).value == {"choice": "no"}


def test_plain_answers_to_closed_questions_raise_nothing(app, phone, round_id):  # noqa: F811
    phone.say("BELONG")
    for code in ("Q1", "Q2", "Q3"):
        assert "116 123" not in phone.say(TEXTS[code])
    assert "116 123" not in phone.say("not sure at all")
    assert _flags(app) == []


def test_the_lead_reads_the_words_on_the_flag(app, phone, round_id, logged_in_as):  # noqa: F811
    from app.staff.auth.models import Role

    phone.say("BELONG")
    phone.say(DISCLOSURE)
    [flag] = _flags(app)
    page = logged_in_as(Role.SAFEGUARDING_LEAD).get(f"/safeguarding/{flag.id}").text
    assert "What they texted" in page and DISCLOSURE in page
