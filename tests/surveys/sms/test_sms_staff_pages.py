"""The staff SMS pages: the phone simulator and the outbox with costs."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.services import queue_text
from app.staff.auth.models import Role
from surveys.models import Question
from surveys.sms.models import InboundMessage
from tests.surveys.conftest import make_open_round


def test_the_simulator_texts_through_the_webhook_and_keeps_the_texts_in_the_session(
    app, logged_in_as
):
    make_open_round(app, channels=("web", "sms"))
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get("/staff/sms/simulator")
    assert page.status_code == 200 and "Phone simulator" in page.text
    sent = client.post("/staff/sms/simulator", data={"number": "07700 900001", "message": "BELONG"})
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"]).text
    assert "BELONG" in page and "anonymous" in page and "1/9" in page
    with app.app_context():  # it went through the webhook: one MessageSid, no body
        assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1
    partial = client.post(
        "/staff/sms/simulator",
        data={"number": "07700 900001", "message": "14/2/2006"},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "2/9" in partial.text
    client.post("/staff/sms/simulator/clear")
    assert "No texts yet" in client.get("/staff/sms/simulator").text


def test_the_simulator_explains_what_to_fix(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    response = client.post("/staff/sms/simulator", data={"number": "hello", "message": ""})
    assert response.status_code == 400
    assert "Enter a mobile number" in response.text and "Type a text message" in response.text


def test_the_simulator_is_for_workers_and_admins_only(app, logged_in_as):
    client = logged_in_as(Role.BOARD_MEMBER)
    assert client.get("/staff/sms/simulator").status_code == 403
    assert client.get("/staff/sms/outbox").status_code == 403


def test_the_outbox_shows_encoding_segments_cost_and_long_question_warnings(app, logged_in_as):
    round_id = make_open_round(app, channels=("web", "sms"), cohort_size=120)
    with app.app_context():
        queue_text("07700 900123", "Hello, it\u2019s us", round_id=round_id)
        question = db.session.scalar(sa.select(Question).where(Question.code == "Q7"))
        question.sms_text = "What advice would you give? " * 8
        db.session.commit()
    client = logged_in_as(Role.ADMIN)
    page = client.get("/staff/sms/outbox").text
    assert "UCS-2" in page and "•••• 123" in page and "07700" not in page
    # Q2's shipped wording plus "Reply 1-6 or SKIP." is 169 characters: two texts.
    assert "2 questions need more than one text" in page
    assert "Q2 (2 segments, GSM-7), Q7 (2 segments, GSM-7)" in page
    assert "Estimate" in page and "segments, £" in page
