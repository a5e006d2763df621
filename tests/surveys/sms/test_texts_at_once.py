"""Texts that arrive at the same moment: each answered, each answer stored once, never a 500.

Everything a text changes is written in one transaction, after one statement has read all it
needs (surveys/sms/conversation.py). So another delivery can be committed between a text's look
and its commit: a copy of the same text (Twilio retries a MessageSid), another text from the same
phone (someone sends "2", then "3", or BELONG twice), or a stranger's first text of a round.
These attacks put the other delivery in exactly there, two ways:
- ``meanwhile``: the other text's whole request runs, in its own application context (so its own
  database session), inside the first's, just after the first's look;
- ``at_once``: each text in its own thread and application context, all held after their first
  look until every one has looked, then let go together (the real race, on PostgreSQL too).
"""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.messaging import services as messaging
from app.messaging.models import OptOut, ReplyTally
from surveys.models import Answer, Response, SurveyRound
from surveys.safeguarding.models import SafeguardingFlag
from surveys.sms import conversation as conv
from surveys.sms.models import InboundMessage, SmsConversation
from surveys.sms.services import invite
from tests.concurrency import held_after_first_call, in_threads
from tests.conftest import TEST_DATABASE_URL
from tests.surveys.sms.test_sms_conversation import TEXTS, round_id  # noqa: F401 - fixture
from tests.surveys.sms.twilio_fakes import (
    Phone,
    replies,
    twilio_app,  # noqa: F401 - the app fixture
)
from tests.surveys.web.test_web_survey import ANSWERS

DISCLOSURE = "I want to kill myself"


@pytest.fixture
def phone(client):
    return Phone(client)


def meanwhile(monkeypatch, app, others: list[dict]) -> list:
    """Post each of ``others`` (a text's form) from a fresh client and application context
    just after the next text's look (``use_read_only_copy`` follows it); their responses."""
    original, answered = conv.use_read_only_copy, []

    def look_then_let_the_others_in(*args):
        result = original(*args)
        while others:
            params = others.pop(0)
            with app.app_context():  # its own session, as another worker's would be
                answered.append(Phone(app.test_client(), number=params["From"]).post(params))
        return result

    monkeypatch.setattr(conv, "use_read_only_copy", look_then_let_the_others_in)
    return answered


def at_once(monkeypatch, app, texts: list[dict]) -> list:
    """Post ``texts`` in threads of their own, each held after its first look until all have
    looked; their responses, in order."""
    held_after_first_call(monkeypatch, conv, "use_read_only_copy", len(texts))
    return _in_threads(app, texts)


def _in_threads(app, texts: list[dict]) -> list:
    def post(params: dict):
        def send():
            with app.app_context():
                return Phone(app.test_client(), number=params["From"]).post(params)

        return send

    return in_threads([post(params) for params in texts])


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _answer_up_to(phone: Phone, code: str) -> None:
    phone.say("BELONG")
    for each in ANSWERS:
        if each == code:
            return
        phone.say(TEXTS[each])


def _statuses(*answered) -> list[int]:
    return [a.status_code for a in answered]


# --- Another text from the same phone -------------------------------------------------------


def test_two_answers_to_one_question_sent_together_are_both_answered(
    app,
    phone,
    round_id,  # noqa: F811
    monkeypatch,
):
    """ "2" then "3" at question 2, and "3" is committed first: "2"'s list of answers (read in its
    look) lacks it, and its insert met the unique (response, question), a 500, and that text
    unanswered. Looked at again, it is read where the conversation now is, as if it had come
    second (which, committed, it did): "3" answers question 2, "2" question 3."""
    phone.say("BELONG")
    phone.say("SKIP")  # at question 2
    others = meanwhile(monkeypatch, app, [phone.params("3")])
    first = phone.post(phone.params("2"))
    assert _statuses(first, *others) == [200, 200]
    assert "3/9" in "".join(replies(others[0]))
    assert "4/9" in "".join(replies(first))
    with app.app_context():
        assert _count(InboundMessage) == 4  # BELONG, SKIP, "3", "2": each answered
        answered = db.session.scalars(sa.select(Answer).where(Answer.skipped.is_(False))).all()
        assert len(answered) == 2  # one answer to each question, each stored once


def test_belong_sent_twice_together_starts_one_survey(app, phone, round_id, monkeypatch):  # noqa: F811
    others = meanwhile(monkeypatch, app, [phone.params("BELONG")])
    first = phone.post(phone.params("BELONG"))
    assert _statuses(first, *others) == [200, 200]
    with app.app_context():
        assert _count(SmsConversation) == 1
        assert _count(Response) == 1
    assert "2/9" in phone.say(TEXTS["Q1"])  # the one survey carries on


@pytest.mark.parametrize("texts", [("hi", "BELONG"), ("yes", "ok"), (DISCLOSURE, "BELONG")])
@pytest.mark.parametrize("race", ["meanwhile", "at_once"])
def test_two_first_replies_to_a_text_invitation_start_one_survey(
    app,
    phone,
    round_id,  # noqa: F811
    monkeypatch,
    texts,
    race,
):
    """Any reply to an invitation starts its survey: two at once each found none started."""
    with app.app_context():
        invite(phone.number, db.session.get(SurveyRound, round_id))
    if race == "meanwhile":
        others = meanwhile(monkeypatch, app, [phone.params(texts[1])])
        answered = [phone.post(phone.params(texts[0])), *others]
    else:
        answered = at_once(monkeypatch, app, [phone.params(text) for text in texts])
    assert _statuses(*answered) == [200, 200]
    with app.app_context():
        assert _count(Response) == 1, "a second survey, left in progress with nothing to it"
        assert _count(SmsConversation) == 1
    monkeypatch.undo()  # the next text is on its own
    assert "2/9" in phone.say(TEXTS["Q1"])  # the one survey carries on


def test_an_answer_sent_as_stop_ends_the_conversation_is_not_kept(
    app,
    phone,
    round_id,  # noqa: F811
    monkeypatch,
):
    """STOP committed first deleted the conversation the answer had read: its update found no
    row (a 500 before). Looked at again, the number has no conversation, so nothing is kept."""
    phone.say("BELONG")
    others = meanwhile(monkeypatch, app, [phone.params("STOP")])
    first = phone.post(phone.params(TEXTS["Q1"]))
    assert _statuses(first, *others) == [200, 200]
    with app.app_context():
        assert _count(SmsConversation) == 0
        assert _count(OptOut) == 1
        assert _count(Answer) == 0


# --- The same text twice (Twilio's retry) ---------------------------------------------------


def test_the_same_answer_delivered_twice_at_once_is_stored_once(app, phone, round_id, monkeypatch):  # noqa: F811
    phone.say("BELONG")
    text = phone.params(TEXTS["Q1"])
    a, b = at_once(monkeypatch, app, [text, dict(text)])
    assert _statuses(a, b) == [200, 200]
    assert a.get_data() == b.get_data()
    monkeypatch.undo()
    with app.app_context():
        assert _count(Answer) == 1
    assert "3/9" in phone.say("1")


def test_the_last_answer_delivered_twice_at_once_completes_the_survey_once(
    app,
    phone,
    round_id,  # noqa: F811
    monkeypatch,
):
    last = list(ANSWERS)[-1]
    _answer_up_to(phone, last)
    text = phone.params(TEXTS[last])
    a, b = at_once(monkeypatch, app, [text, dict(text)])
    assert _statuses(a, b) == [200, 200]
    assert a.get_data() == b.get_data() and b"Thank you" in a.get_data()
    with app.app_context():
        assert _count(Answer) == len(ANSWERS)
        assert _count(SmsConversation) == 0
        assert db.session.scalar(sa.select(Response.status)) == "complete"


def test_a_disclosure_delivered_twice_at_once_is_flagged_once_and_answered_with_help(
    app,
    phone,
    round_id,  # noqa: F811
    monkeypatch,
):
    _answer_up_to(phone, "Q4")
    text = phone.params(DISCLOSURE)
    a, b = at_once(monkeypatch, app, [text, dict(text)])
    assert _statuses(a, b) == [200, 200]
    assert a.get_data() == b.get_data() and b"116 123" in a.get_data()
    with app.app_context():
        assert _count(SafeguardingFlag) == 1


# --- Strangers' first texts -----------------------------------------------------------------


@pytest.mark.skipif(TEST_DATABASE_URL is None, reason="SQLite's write lock puts the two in order")
def test_a_rounds_first_two_texts_at_once_are_both_answered_and_counted(
    app,
    client,
    round_id,  # noqa: F811
    monkeypatch,
):
    """A round's invitations go out together, so its first replies come at once: each text's
    reply count found no row for the round and inserted one (round_id is unique), and the later
    commit failed, and with it that person's new conversation (a 500). Each is held after
    counting until both have counted: with the count kept right, the later waits for the
    earlier's row instead, and the earlier carries on after a moment."""
    barrier, original = threading.Barrier(2, timeout=3), messaging.record_reply

    def count_then_wait(*args) -> None:
        original(*args)
        # The other waits for this one's row to be committed, as it should: so this one's wait
        # runs out, and it carries on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(messaging, "record_reply", count_then_wait)
    people = [Phone(client, "+447700900111"), Phone(client, "+447700900222")]
    answered = _in_threads(app, [p.params("BELONG") for p in people])
    assert _statuses(*answered) == [200, 200]
    monkeypatch.undo()
    with app.app_context():
        assert _count(SmsConversation) == 2
        assert db.session.scalar(sa.select(ReplyTally.texts)) == 2
