"""Whole text-message conversations through the signed Twilio webhook."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.clock import utcnow
from app.core.extensions import db
from app.messaging.models import OptOut, OutboundMessage, ReplyTally
from app.outreach.invitations.services import apply_completion_notices
from surveys.models import Answer, Response, SurveyRound
from surveys.services import close_round
from surveys.sms.models import InboundMessage, SmsConversation
from tests.conftest import FROZEN_AT
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)
from tests.surveys.web.test_web_survey import ANSWERS, answer_all

YEAR = FROZEN_AT.year - 19
# The same answers as the web test's ANSWERS, as someone would text them.
TEXTS = {
    "Q1": f"14/2/{YEAR}",
    "Q2": "6 Living with my nan",
    "Q3": "2",
    "Q4": "My own space\nMy PA helps",
    "Q5": "Bills\nFeeling lonely",
    "Q6": "Learning to cook",
    "Q7": "Ask for help early.",
    "Q11": "not sure",
    "Q12": "More drop-ins please",
}


@pytest.fixture
def round_id(app):
    round_id = make_open_round(app, channels=("web", "sms"))
    with app.app_context():
        from app.staff.authority.services import get_settings

        get_settings().duty_phone = "0161 496 0000"
        db.session.commit()
    return round_id


@pytest.fixture
def phone(client):
    return Phone(client)


def _values_by_code(app, channel):
    with app.app_context():
        response = db.session.scalar(sa.select(Response).where(Response.channel == channel))
        assert response is not None and response.status == "complete"
        return {a.question.code: (a.skipped, a.value) for a in response.answers}


def test_a_whole_conversation_stores_what_the_web_stores_for_the_same_answers(
    app, client, phone, round_id
):
    first = phone.say("BELONG")
    assert "anonymous" in first and "SKIP" in first and "STOP" in first
    assert "date of birth" in first
    for code in ANSWERS:
        reply = phone.say(TEXTS[code])
        assert "did not understand" not in reply, (code, reply)
    assert "Thank you" in reply and "http://localhost/you-said-we-did" in reply

    web_client = app.test_client()  # someone else, answering in a browser
    answer_all(web_client)
    web_client.post("/s/test26/check")

    sms, web = _values_by_code(app, "sms"), _values_by_code(app, "web")
    assert sms == web
    assert sms["Q1"] == (False, {"age": 19})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0


def test_the_round_slug_is_a_keyword_too_and_each_question_is_one_text(app, phone, round_id):
    reply = phone.say("test26")
    assert "1/9" in reply
    second = phone.say(TEXTS["Q1"])
    assert re.search(r"2/9 .*1 Under 18", second)


def test_a_tampered_or_missing_signature_gets_403_and_stores_nothing(app, phone, round_id):
    params = phone.params("BELONG")
    good = phone.post(dict(params))
    assert good.status_code == 200
    tampered = dict(params, Body="BELONG!", MessageSid="SM" + "9" * 32)
    headers = {"X-Twilio-Signature": "bad"}
    assert (
        phone.client.post("/sms/twilio/inbound", data=tampered, headers=headers).status_code == 403
    )
    assert phone.client.post("/sms/twilio/inbound", data=tampered).status_code == 403
    assert phone.post(tampered, sign_with="another-token").status_code == 403
    # Signed for one body, sent with another:
    from tests.surveys.sms.twilio_fakes import BASE_URL, signature

    sig = signature(BASE_URL + "/sms/twilio/inbound", dict(params, MessageSid="SMx"))
    response = phone.client.post(
        "/sms/twilio/inbound",
        data=dict(params, MessageSid="SMx", Body="STOP"),
        headers={"X-Twilio-Signature": sig},
    )
    assert response.status_code == 403
    assert "<Response" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(OptOut.id))) == 0


def test_the_same_message_sid_three_times_stores_one_answer_and_gets_the_same_reply(
    app, phone, round_id
):
    phone.say("BELONG")
    params = phone.params(TEXTS["Q1"])
    bodies = [phone.post(dict(params)).get_data() for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert b"2/9" in bodies[0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1
        assert (
            db.session.scalar(
                sa.select(sa.func.count(InboundMessage.id)).where(
                    InboundMessage.message_sid == params["MessageSid"]
                )
            )
            == 1
        )
        # The reply was counted once for the cost figures, too.
        assert db.session.scalar(sa.select(sa.func.sum(ReplyTally.texts))) == 2
        assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 0
    # The next answer still goes to question 2: the retries did not move the conversation on.
    assert "3/9" in phone.say("1")


def test_a_text_still_being_answered_is_tried_again_soon_and_a_lost_reply_is_not_sent_twice(
    app, phone, round_id
):
    """A MessageSid whose row holds no reply yet (as an earlier version wrote it, committing
    the answer before the reply, while a worker of it is still answering, or died before it
    could): a second delivery changes nothing. While the first may still reply, Twilio is asked
    to try again shortly; after that the second gets an empty reply, so nothing is said twice."""
    phone.say("BELONG")
    params = phone.params(TEXTS["Q1"])
    with app.app_context():
        db.session.add(InboundMessage(message_sid=params["MessageSid"], received_at=utcnow()))
        db.session.commit()
    busy = phone.post(dict(params))
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        lost = phone.post(dict(params))
    assert lost.status_code == 200 and replies(lost) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        assert db.session.scalar(sa.select(ReplyTally.texts)) == 1  # BELONG's reply only
    assert "2/9" in phone.say(TEXTS["Q1"])  # the conversation is still at question 1


def test_a_sender_we_never_answer_is_recorded_once_and_starts_nothing(app, client, round_id):
    """A short code (another service's robot) texting BELONG, twice with the same MessageSid:
    never answered (two robots answering each other would never stop), nothing started."""
    robot = Phone(client, number="60123")
    params = robot.params("BELONG")
    for _ in range(2):
        sent = robot.post(dict(params))
        assert sent.status_code == 200 and replies(sent) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0


def test_skip_back_and_help(app, phone, round_id):
    phone.say("BELONG")
    assert "2/9" in phone.say("SKIP")
    back = phone.say("BACK")
    assert "1/9" in back and "date of birth" in back
    help_reply = phone.say("HELP")
    assert "0161 496 0000" in help_reply and "116 123" in help_reply and "1/9" in help_reply
    assert "2/9" in phone.say(TEXTS["Q1"])
    with app.app_context():
        [answer] = db.session.scalars(sa.select(Answer))
        assert answer.skipped is False and answer.value == {"age": 19}


def test_a_reply_we_cannot_read_is_asked_once_more_then_skipped(app, phone, round_id):
    phone.say("BELONG")
    phone.say(TEXTS["Q1"])
    phone.say(TEXTS["Q2"])
    again = phone.say("7")  # Q3 has two answers
    assert "did not understand" in again and "3/9" in again
    moved_on = phone.say("...")
    assert "skipped it" in moved_on and "BACK" in moved_on and "4/9" in moved_on
    with app.app_context():
        skipped = db.session.scalars(sa.select(Answer).where(Answer.skipped)).all()
        assert [a.question.code for a in skipped] == ["Q3"]


def test_a_safeguarding_disclosure_gets_the_help_numbers_then_the_next_question(
    app, phone, round_id
):
    phone.say("BELONG")
    for code in ("Q1", "Q2", "Q3"):
        phone.say(TEXTS[code])
    reply = phone.say("I want to kill myself")
    for number in ("0161 496 0000", "116 123", "85258", "999"):
        assert number in reply
    assert "5/9" in reply
    with app.app_context():
        from surveys.safeguarding.models import SafeguardingFlag

        assert db.session.scalar(sa.select(sa.func.count(SafeguardingFlag.id))) == 1


@pytest.mark.parametrize(
    "first", ["I want to kill myself", "i feel like ending it", "BELONG he hits me"]
)
def test_a_disclosure_from_a_number_in_no_conversation_gets_the_help_numbers_at_once(
    app, phone, round_id, first
):
    """A first text that discloses a risk, before any survey, gets help, not only a keyword."""
    reply = phone.say(first)
    for number in ("116 123", "85258", "999"):
        assert number in reply, reply
    assert reply.index("116 123") < reply.index("Text BELONG"), "help comes first"


def test_a_disclosure_texted_after_finishing_the_survey_gets_the_help_numbers(app, phone, round_id):
    phone.say("BELONG")
    for code in TEXTS:
        phone.say(TEXTS[code])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0  # finished
    reply = phone.say("thanks. I want to kill myself")
    assert "116 123" in reply and "999" in reply, reply
    assert "116 123" not in phone.say("thanks, bye"), "help is for a disclosure, not every text"


def test_stop_records_an_opt_out_ends_the_conversation_and_start_opts_back_in(app, phone, round_id):
    phone.say("BELONG")
    assert replies(phone.text("STOP")) == []  # Twilio's own opt-out handling answers STOP
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OptOut.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0
    assert phone.say("Hello?") == ""
    assert "again" in phone.say("START")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OptOut.id))) == 0
    assert "1/9" in phone.say("BELONG")


@pytest.mark.parametrize("word", ["stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "stop."])
def test_every_opt_out_word_is_recorded(app, phone, round_id, word):
    phone.text(word)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OptOut.id))) == 1


def test_an_unknown_number_replying_to_nothing_is_told_how_to_start(app, phone, round_id):
    assert phone.say("hi who is this") == "Text BELONG to start the survey."
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0


def test_replies_after_the_round_closed_are_told_it_is_closed(app, phone, round_id):
    phone.say("BELONG")
    with app.app_context():
        close_round(db.session.get(SurveyRound, round_id))
    assert "closed" in phone.say(TEXTS["Q1"])
    assert "closed" in phone.say("test26")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(SmsConversation.id))) == 0


def test_media_messages_get_a_clear_reply(app, phone, round_id):
    phone.say("BELONG")
    reply = "\n".join(replies(phone.text("", NumMedia="1", MediaUrl0="https://x.example/a.jpg")))
    assert "only read text" in reply and "1/9" in reply


def test_a_1600_character_message_is_read_and_a_longer_one_refused(app, phone, round_id):
    phone.say("BELONG")
    for code in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"):
        phone.say(TEXTS[code])
    long_answer = ("Ask for help early. " * 80)[:1600]
    assert "8/9" in phone.say(long_answer)
    assert "too long" in phone.say("x" * 1601)
    with app.app_context():
        texts = [
            a.value["text"]
            for a in db.session.scalars(sa.select(Answer))
            if a.value and "text" in a.value
        ]
        assert max(len(text) for text in texts) >= 1590


def test_bad_requests_get_a_clean_4xx(app, client, phone, round_id):
    params = phone.params("BELONG")
    missing = {k: v for k, v in params.items() if k != "From"}
    assert phone.post(missing).status_code == 400
    no_sid = {k: v for k, v in params.items() if k != "MessageSid"}
    assert phone.post(no_sid).status_code == 400
    huge = client.post(
        "/sms/twilio/inbound",
        data=b"Body=" + b"x" * 70_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert huge.status_code == 413
    not_utf8 = client.post(
        "/sms/twilio/inbound",
        data=b"Body=%FF%FE&From=%2B447700900123&MessageSid=SM1",
        content_type="application/x-www-form-urlencoded",
    )
    assert not_utf8.status_code == 400
    raw_bytes = client.post(
        "/sms/twilio/inbound",
        data=b"Body=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert raw_bytes.status_code == 400
    assert phone.post(dict(params, NumMedia="lots")).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 0


def test_an_invited_number_starts_with_any_reply(app, phone, round_id):
    from surveys.sms.services import invite

    with app.app_context():
        message = invite(phone.number, db.session.get(SurveyRound, round_id))
        assert "reply BELONG" in message.body
        again = invite(phone.number, db.session.get(SurveyRound, round_id))
        assert again.id == message.id  # queued once
    assert "1/9" in phone.say("ok")


def test_replies_are_plain_gsm_text_with_numbered_questions(app, phone, round_id):
    from app.messaging.encoding import segments

    reply = phone.say("BELONG")
    assert segments(reply)[0] == "GSM-7"
    for code in ("Q1", "Q2", "Q3"):
        assert segments(phone.say(TEXTS[code]))[0] == "GSM-7"


def test_an_idle_conversation_expires_and_a_new_keyword_starts_afresh(app, phone, round_id):
    from surveys.sms.services import expire

    phone.say("BELONG")
    with app.app_context():
        db.session.execute(
            sa.update(SmsConversation).values(
                last_activity_at=SmsConversation.last_activity_at - timedelta(days=8)
            )
        )
        db.session.commit()
        assert expire()[0] == 1
    assert phone.say(TEXTS["Q1"]) == "Text BELONG to start the survey."


def test_an_invited_number_that_finishes_by_text_completes_its_invitation(app, client, round_id):
    from app.outreach.invitations.models import Invitation
    from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all

    add_contacts(app, 2)  # mobiles 07700 900000 and 07700 900001
    invite_all(app, round_id, ("sms",))
    invited = Phone(client, number="+447700900001")
    invited.say("BELONG")
    for code in ANSWERS:
        reply = invited.say(TEXTS[code])
    assert "Thank you" in reply
    with app.app_context():
        # A sealed notice waits for its batch; applied, only the invitation knows (a flag).
        assert apply_completion_notices(everything=True) == 1
        statuses = {i.contact.mobile: i.status for i in db.session.scalars(sa.select(Invitation))}
        assert statuses["+447700900001"] == "completed"
        assert statuses["+447700900000"] == "invited"
