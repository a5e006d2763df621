"""A disclosure texted from a number in no survey conversation is flagged for the lead.

A first text ("I want to kill myself"), one sent after finishing, one beside BELONG, one too long
to read as an answer, one from a number that opted out: the young person is texted help (where
a text can reach them) and the lead gets a flag holding the words, the date and the round the
text was about, and nothing of the number.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.clock import utcnow
from app.core.extensions import db
from app.messaging import mail
from app.messaging.keys import phone_hashes
from app.staff.auth.models import Role
from app.staff.authority.services import get_settings
from surveys.models import Answer, Response, SurveyRound
from surveys.safeguarding import services
from surveys.safeguarding.models import SafeguardingFlag
from surveys.services import close_round
from surveys.sms.models import SmsConversation
from surveys.sms.services import invite
from tests.conftest import make_staff, sign_in
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)


@pytest.fixture
def round_id(app):
    round_id = make_open_round(app, channels=("web", "sms"))
    with app.app_context():
        settings = get_settings()
        settings.duty_phone = "0161 496 0000"
        settings.safeguarding_lead_email = "lead@council.example"
        db.session.commit()
    mail.outbox.clear()
    return round_id


@pytest.fixture
def phone(client):
    return Phone(client)


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


@pytest.mark.parametrize("first", ["I want to kill myself", "i feel like ending it tonight"])
def test_a_first_text_that_discloses_a_risk_is_flagged_for_the_lead(app, phone, round_id, first):
    reply = phone.say(first)
    assert "116 123" in reply and "999" in reply, reply
    [flag] = _flags(app)
    assert flag.answer_id is None and flag.round_id is None
    assert flag.said == first and flag.level == "likely" and flag.status == "new"
    assert flag.origin == "text"
    [email] = mail.outbox
    assert email["To"] == "lead@council.example" and "outside a survey" in email["Subject"]
    assert first not in email.get_content(), "the email holds no words"


def test_the_lead_reads_the_words_on_the_list_and_the_flag(app, phone, round_id):
    phone.say("he hits me and I am scared to go home")
    make_staff(app, Role.SAFEGUARDING_LEAD, "lead@example.org")
    lead = app.test_client()
    sign_in(lead, "lead@example.org")
    listing = lead.get("/safeguarding")
    assert listing.status_code == 200 and "A text outside a survey" in listing.text
    [flag] = _flags(app)
    page = lead.get(f"/safeguarding/{flag.id}")
    assert page.status_code == 200
    assert "he hits me and I am scared to go home" in page.text
    assert "not in a survey" in page.text
    updated = lead.post(
        f"/safeguarding/{flag.id}",
        data={"status": "action_taken", "note": "Told the leaving care team's duty worker."},
    )
    assert updated.status_code == 302
    [flag] = _flags(app)
    assert flag.status == "action_taken" and "duty worker" in flag.note


def test_a_disclosure_beside_belong_is_flagged(app, phone, round_id):
    reply = phone.say("BELONG he hits me")
    assert reply.index("116 123") < reply.index("Text BELONG"), reply
    [flag] = _flags(app)
    assert flag.answer_id is None and flag.said == "BELONG he hits me"


@pytest.mark.parametrize("body", ["belong kms", "test26 he hits me", "Belong... kms!"])
def test_a_keyword_or_a_rounds_name_with_words_beside_it_is_screened(app, phone, round_id, body):
    """A text that is only a keyword ("BELONG", the round's name) has nothing to screen; one
    with anything more of the sender's own is screened."""
    reply = phone.say(body)
    assert "116 123" in reply, reply
    [flag] = _flags(app)
    assert flag.said == body


@pytest.mark.parametrize("body", ["BELONG", "belong!", "test26"])
def test_a_text_that_is_only_a_keyword_starts_the_survey_and_raises_no_flag(
    app, phone, round_id, body
):
    assert "1/" in phone.say(body)
    assert _flags(app) == []


def test_an_invited_number_replying_with_a_disclosure_is_flagged_on_the_round_it_starts(
    app, phone, round_id
):
    with app.app_context():
        invite(phone.number, db.session.get(SurveyRound, round_id))
    reply = phone.say("he hits me")  # any reply to an invitation starts its survey
    assert reply.index("116 123") < reply.index("1/9"), reply
    [flag] = _flags(app)
    assert flag.round_id == round_id and flag.answer_id is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        flag = db.session.get(SafeguardingFlag, flag.id)
        assert flag.where == f"A text outside a survey ({flag.round.name})"


def test_a_disclosure_after_finishing_is_flagged_and_the_response_is_not_touched(
    app, phone, round_id
):
    phone.say("BELONG")
    for code in TEXTS:
        phone.say(TEXTS[code])
    with app.app_context():
        answers = db.session.scalar(sa.select(sa.func.count(Answer.id)))
    assert "116 123" in phone.say("thanks. I want to kill myself")
    [flag] = _flags(app)
    assert flag.answer_id is None and flag.said == "thanks. I want to kill myself"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == answers


def test_a_retried_delivery_raises_one_flag_and_sends_one_email(app, phone, round_id):
    first = phone.text("I want to die", sid="SM" + "7" * 32)
    again = phone.text("I want to die", sid="SM" + "7" * 32)
    assert replies(first) == replies(again)
    assert len(_flags(app)) == 1 and len(mail.outbox) == 1


def test_an_everyday_first_text_raises_no_flag(app, phone, round_id):
    phone.say("hi who is this")
    phone.say("thanks, bye")
    assert _flags(app) == [] and mail.outbox == []


def test_a_disclosure_from_an_opted_out_number_is_flagged_and_answered_only_with_help(
    app, phone, round_id
):
    """After Twilio's own STOP words Twilio drops the reply; after GOV.UK Notify's, or our
    own, it reaches them."""
    phone.text("STOP")
    [reply] = replies(phone.text("i am going to kill myself"))
    assert "116 123" in reply and "BELONG" not in reply
    [flag] = _flags(app)
    assert flag.level == "likely" and flag.said == "i am going to kill myself"


def test_a_text_too_long_to_be_an_answer_is_still_screened(app, phone, round_id):
    long = "I want to kill myself. " + "It has been so hard for so long. " * 60
    assert len(long) > 1600
    reply = phone.say(long)
    assert "116 123" in reply and "too long" in reply.lower(), reply
    [outside] = _flags(app)
    assert outside.answer_id is None and len(outside.said) == services.SAID_LIMIT
    # In a conversation the words are flagged on the question they were sent to.
    phone.say("BELONG")
    reply = phone.say(long)
    assert "116 123" in reply, reply
    outside, beside = _flags(app)
    assert beside.answer_id is not None and beside.said.startswith("I want to kill myself")
    with app.app_context():
        answer = db.session.get(Answer, beside.answer_id)
        assert answer is not None and answer.skipped


def test_the_flag_keeps_nothing_of_the_number(app, phone, round_id):
    phone.say("I want to kill myself")
    with app.app_context():
        hashes = phone_hashes(phone.number)
        row = db.session.execute(sa.select(SafeguardingFlag.__table__)).mappings().one()
        conversations = db.session.scalar(sa.select(sa.func.count(SmsConversation.id)))
        responses = db.session.scalar(sa.select(sa.func.count(Response.id)))
    stored = " ".join(str(value) for value in row.values())
    digits = phone.number.lstrip("+")
    assert digits not in stored and digits[-6:] not in stored.replace(" ", "")
    assert not any(h in stored for h in hashes)
    assert conversations == 0 and responses == 0  # no conversation, no response was started


def test_an_unreviewed_flag_outside_a_survey_goes_to_the_deputy(app, phone, round_id):
    with app.app_context():
        get_settings().safeguarding_deputy_email = "deputy@council.example"
        db.session.commit()
    phone.say("I want to kill myself")
    later = time_machine.travel(utcnow() + timedelta(hours=25), tick=False)
    with later, app.app_context():
        assert services.escalate_overdue() == 1
    deputy = mail.outbox[-1]
    assert deputy["To"] == "deputy@council.example"
    assert "A text outside a survey" in deputy.get_content()
    assert "kill" not in deputy.get_content()


def test_a_disclosure_sent_after_the_round_closed_mid_survey_is_flagged_and_helped(
    app, phone, round_id
):
    phone.say("BELONG")
    with app.app_context():
        close_round(db.session.get(SurveyRound, round_id))
    reply = phone.say("I want to kill myself")
    assert reply.index("116 123") < reply.index("closed"), reply
    [flag] = _flags(app)
    assert flag.round_id == round_id and flag.answer_id is None


@pytest.mark.parametrize("body", ["lang day. i want to kill myself", "LANG I want to die"])
def test_a_disclosure_in_a_text_beginning_lang_is_flagged_and_helped(app, phone, round_id, body):
    """ "LANG" asks for the list of languages, and "lang" is Scots for "long"."""
    reply = phone.say(body)
    assert reply.index("116 123") < reply.index("LANG"), reply
    phone.say("BELONG")
    reply = phone.say(body)
    assert "116 123" in reply and "1/9" in reply, "help, then the question again"
    outside, beside = _flags(app)
    assert outside.answer_id is None and beside.answer_id is not None


def test_a_number_that_opted_out_in_its_own_words_is_texted_help(app, phone, round_id):
    """Our opt-out, not Twilio's (which blocks only its own STOP words): the reply reaches
    them, so it carries the help numbers, and nothing else."""
    phone.say("please stop texting me")
    reply = phone.say("I want to kill myself")
    assert "116 123" in reply and "BELONG" not in reply, reply
    assert len(_flags(app)) == 1
    assert phone.say("hello?") == "", "no survey texts after an opt-out"


@pytest.mark.parametrize("sender", ["+441614960000", "+447000000000", "85258"])
def test_a_disclosure_from_a_number_we_never_reply_to_still_reaches_the_lead(
    app, phone, round_id, sender
):
    """A landline, a personal 070 number, a short code: never answered (loops), but a
    person may be writing from it."""
    phone.number = sender
    assert phone.say("I want to kill myself") == ""
    assert len(_flags(app)) == 1


def test_our_own_number_echoing_our_help_raises_no_flag(app, phone, round_id):
    app.config["TWILIO_FROM_NUMBER"] = "+447700900000"
    help_text = phone.say("I want to kill myself")
    phone.number = "+447700900000"
    assert phone.say(help_text) == ""
    assert len(_flags(app)) == 1, "only the young person's text"


# Letters the screener reads but a keyword's letters-and-digits leave out (fullwidth, "fancy
# font" maths letters): beside BELONG they are the sender's words, screened.
FANCY = (
    "\U0001d422 \U0001d430\U0001d41a\U0001d427\U0001d42d \U0001d42d\U0001d428 "
    "\U0001d424\U0001d422\U0001d425\U0001d425 \U0001d426\U0001d432\U0001d42c\U0001d41e\U0001d425"
    "\U0001d41f"
)
FULLWIDTH = "".join(c if c == " " else chr(ord(c) + 0xFEE0) for c in "i want to kill myself")


@pytest.mark.parametrize("body", [f"BELONG {FANCY}", f"BELONG {FULLWIDTH}", f"test26 {FULLWIDTH}"])
def test_a_keyword_beside_a_disclosure_in_other_letters_is_screened(app, phone, round_id, body):
    with app.app_context():
        assert services.screen_text([body]).flagged, "the screener itself reads these words"
    reply = phone.say(body)
    assert "116 123" in reply, reply
    assert [f.said for f in _flags(app)] == [body]
