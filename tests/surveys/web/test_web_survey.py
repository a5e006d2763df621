"""The web survey as a care leaver uses it, through the Flask test client."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer, ContactRequest, Response
from surveys.services import close_round
from surveys.web.sign_ups import apply_sign_ups
from tests.conftest import FROZEN_AT
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"

# One complete set of answers, keyed by question code, as the web form posts them.
ANSWERS = {
    "Q1": {"day": "14", "month": "2", "year": str(FROZEN_AT.year - 19)},
    "Q2": {"choice": "6", "other": "Living with my nan"},
    "Q3": {"choice": "2"},
    "Q4": {"item-1": "My own space", "item-2": "My PA helps", "item-3": ""},
    "Q5": {"item-1": "Bills", "item-2": "Feeling lonely"},
    "Q6": {"item-1": "Learning to cook"},
    "Q7": {"text": "Ask for help early."},
    "Q11": {"choice": "not_sure"},
    "Q12": {"text": "More drop-ins please"},
}


def _responses(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(Response)))


def answer_all(client, skip=()):
    assert client.post(f"{BASE}/start").status_code == 302
    for code, data in ANSWERS.items():
        if code in skip:
            response = client.post(f"{BASE}/q/{code}", data={"action": "skip"})
        else:
            response = client.post(f"{BASE}/q/{code}", data={"action": "answer", **data})
        assert response.status_code in (200, 302), (code, response.status_code)
    return client.get(f"{BASE}/check")


def test_start_page_says_who_it_is_for_and_that_it_is_anonymous(client, round_id):
    page = client.get(BASE).text
    assert "16 to 25" in page
    assert "anonymous" in page
    assert "about 5 minutes" in page
    assert "Get help now" in page


def test_whole_survey_is_stored_once_with_an_age_not_a_date_of_birth(app, client, round_id):
    check = answer_all(client)
    assert check.status_code == 200
    assert "Age 19" in check.text
    assert "Other: Living with my nan" in check.text
    sent = client.post(f"{BASE}/check")
    assert sent.headers["Location"].endswith("/thanks")
    [response] = _responses(app)
    with app.app_context():
        response = db.session.get(Response, response.id)
        assert response.status == "complete" and response.channel == "web"
        assert response.resume_hash is None
        by_code = {a.question.code: a.value for a in response.answers}
        assert by_code["Q1"] == {"age": 19}
        assert by_code["Q4"] == {"items": ["My own space", "My PA helps"]}
        assert by_code["Q11"] == {"choice": "not_sure"}


def test_question_pages_show_progress_back_link_and_skip(client, round_id):
    client.post(f"{BASE}/start")
    page = client.get(f"{BASE}/q/Q3").text
    assert "Question 3 of 9" in page
    assert f'href="{BASE}/q/Q2"' in page
    assert "Skip this question" in page


def test_skipped_questions_are_stored_as_skipped(app, client, round_id):
    answer_all(client, skip={"Q1", "Q7"})
    client.post(f"{BASE}/check")
    with app.app_context():
        skipped = db.session.scalars(sa.select(Answer).where(Answer.skipped)).all()
        assert sorted(a.question.code for a in skipped) == ["Q1", "Q7"]


def test_change_from_check_answers_returns_to_check_answers(client, round_id):
    answer_all(client)
    change = client.get(f"{BASE}/q/Q3?change=1")
    assert "Save and go back" in change.text
    response = client.post(f"{BASE}/q/Q3?change=1", data={"action": "answer", "choice": "1"})
    assert response.headers["Location"].endswith("/check")
    assert "Male" in client.get(f"{BASE}/check").text


def test_double_submit_stores_one_response(app, client, round_id):
    answer_all(client)
    first = client.post(f"{BASE}/check")
    second = client.post(f"{BASE}/check")
    assert first.status_code == second.status_code == 302
    assert len(_responses(app)) == 1
    assert client.get(f"{BASE}/thanks").status_code == 200


def test_double_clicked_start_and_answer_store_once(app, client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/start")
    for _ in range(2):
        client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "1"})
    assert len(_responses(app)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1


def test_two_people_answering_at_once_both_land(app, round_id):
    first, second = app.test_client(), app.test_client()
    first.post(f"{BASE}/start")
    second.post(f"{BASE}/start")
    for code, data in ANSWERS.items():
        for client in (first, second):
            client.post(f"{BASE}/q/{code}", data={"action": "answer", **data})
    first.post(f"{BASE}/check")
    second.post(f"{BASE}/check")
    responses = _responses(app)
    assert len(responses) == 2 and all(r.status == "complete" for r in responses)


def test_save_and_resume_on_another_device_with_a_code(app, client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q1", data={"action": "skip"})
    client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "5"})
    saved = client.get(f"{BASE}/save").text
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", saved).group(0)
    other_phone = app.test_client()
    wrong = other_phone.post(f"{BASE}/resume", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400 and "could not find that code" in wrong.text
    right = other_phone.post(f"{BASE}/resume", data={"code": code.lower().replace("-", " ")})
    assert right.status_code == 302
    carry_on = other_phone.get(f"{BASE}/continue")
    assert carry_on.headers["Location"].endswith("/q/Q3")
    assert len(_responses(app)) == 1


def test_resume_code_stops_working_when_the_round_closes(app, client, round_id):
    client.post(f"{BASE}/start")
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", client.get(f"{BASE}/save").text)[0]
    with app.app_context():
        from surveys.models import SurveyRound

        close_round(db.session.get(SurveyRound, round_id))
    response = app.test_client().post(f"{BASE}/resume", data={"code": code})
    assert response.status_code == 410
    assert "closed" in response.text


def test_date_of_birth_errors_are_plain_and_nothing_is_stored(app, client, round_id):
    client.post(f"{BASE}/start")
    cases = {
        ("", "", ""): "Enter your date of birth",
        ("12", "", "2005"): "must include a month",
        ("31", "2", "2005"): "must be a real date",
        ("1", "1", "2999"): "must be in the past",
        ("aa", "1", "2005"): "written in numbers",
        ("1", "1", "205"): "with 4 numbers, like 2007, or 2 numbers, like 07",
        # 2020 would make you 6, 1920 106: the year is asked for again, with 4 numbers.
        ("1", "1", "20"): "We cannot tell which year you mean",
    }
    for (day, month, year), message in cases.items():
        page = client.post(
            f"{BASE}/q/Q1", data={"action": "answer", "day": day, "month": month, "year": year}
        )
        assert page.status_code == 400
        assert message in page.text
        assert "There is a problem" in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_a_two_digit_year_is_read_as_a_text_reply_is(app, client, round_id):
    """ "3 6 05" is 3 June 2005, as "3/6/05" is by text (one rule: app/core/dates.py)."""
    client.post(f"{BASE}/start")
    page = client.post(
        f"{BASE}/q/Q1", data={"action": "answer", "day": "3", "month": "6", "year": "05"}
    )
    assert page.status_code == 302
    with app.app_context():
        [answer] = db.session.scalars(sa.select(Answer)).all()
    assert answer.value == {"age": 21}  # on 10 June 2026 (the frozen clock)


def test_ages_outside_16_to_25_get_a_kind_message_and_can_go_on(client, round_id):
    client.post(f"{BASE}/start")
    year = str(FROZEN_AT.year - 14)
    page = client.post(
        f"{BASE}/q/Q1", data={"action": "answer", "day": "1", "month": "1", "year": year}
    )
    assert page.status_code == 200
    assert "aged 16 to 25" in page.text and "carry on" in page.text


def test_tampered_input_gets_a_clear_message(app, client, round_id):
    client.post(f"{BASE}/start")
    assert client.get(f"{BASE}/q/Q99").status_code == 404
    not_an_option = client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "42"})
    assert not_an_option.status_code == 400 and "on the list" in not_an_option.text
    huge = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": "x" * 10_000})
    assert huge.status_code == 400 and "2000 characters or fewer" in huge.text
    odd = client.post(
        f"{BASE}/q/Q12", data={"action": "answer", "text": "ok \x00\x07 fine 😀 👍🏽"}
    )
    assert odd.status_code == 302
    with app.app_context():
        [answer] = db.session.scalars(sa.select(Answer)).all()
        assert answer.value == {"text": "ok fine 😀 👍🏽"}


def test_closed_and_unknown_rounds(app, client, round_id):
    assert client.get("/s/nosuch").status_code == 404
    client.post(f"{BASE}/start")
    with app.app_context():
        from surveys.models import SurveyRound

        close_round(db.session.get(SurveyRound, round_id))
    late = client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "1"})
    assert late.status_code == 410 and "closed" in late.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_forum_interest_is_kept_apart_from_the_answers(app, client, round_id):
    answer_all(client)
    client.post(f"{BASE}/check")
    thanks = client.get(f"{BASE}/thanks").text
    assert "separately from your answers" in thanks
    missing = client.post(f"{BASE}/keep-in-touch/forum", data={"forum-name": "Jay"})
    assert missing.status_code == 400
    assert "Enter a mobile number or an email address" in missing.text
    done = client.post(
        f"{BASE}/keep-in-touch/forum",
        data={"forum-name": "Jay", "forum-phone": "07700 900123", "forum-consent": "y"},
    )
    assert done.status_code == 200 and "We have your details" in done.text
    with app.app_context():
        # Sealed until the daily batch (surveys/web/sign_ups.py); --all applies a batch of one.
        assert db.session.scalars(sa.select(ContactRequest)).all() == []
        assert apply_sign_ups(everything=True) == 1
        [request] = db.session.scalars(sa.select(ContactRequest)).all()
        assert request.kind == "forum" and request.name == "Jay" and request.consent
