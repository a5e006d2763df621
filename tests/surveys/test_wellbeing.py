"""The personal well-being module (ONS4): a round can include it, and every channel (web, text,
paper keying) stores each answer as a whole number from 0 to 10 under its own code."""

from __future__ import annotations

import io
import re
import tomllib

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Response, SurveyRound
from surveys.paper import pdf
from surveys.paper.services import allocate_serials
from surveys.services import QUESTIONNAIRES_DIR, load_questionnaire_file, questionnaires
from surveys.wellbeing import CODES, MODULE_KEY, band
from tests.surveys.conftest import SLUG, make_open_round
from tests.surveys.paper.helpers import form
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import (
    Phone,
    twilio_app,  # noqa: F401 - the app fixture
)
from tests.surveys.web.test_web_survey import BASE, answer_all

SCORES = {"ONS1": 7, "ONS2": 0, "ONS3": 10, "ONS4": 3}
ONS_WORDING = {
    "ONS1": "Overall, how satisfied are you with your life nowadays?",
    "ONS2": "Overall, to what extent do you feel that the things you do in your life are "
    "worthwhile?",
    "ONS3": "Overall, how happy did you feel yesterday?",
    "ONS4": "On a scale where 0 is 'not at all anxious' and 10 is 'completely anxious', overall, "
    "how anxious did you feel yesterday?",
}


@pytest.fixture
def round_id(app) -> int:
    found = make_open_round(app, channels=("web", "sms", "paper"), wellbeing=True)
    with app.app_context():
        allocate_serials(db.session.get(SurveyRound, found), 5)
    return found


def _stored(app, channel: str) -> dict[str, object]:
    with app.app_context():
        response = db.session.scalar(sa.select(Response).where(Response.channel == channel))
        assert response is not None and response.status == "complete"
        return {a.question.code: a.value for a in response.answers}


def _ons(values: dict[str, object]) -> dict[str, object]:
    return {code: values[code] for code in CODES}


def test_the_module_has_the_ons_wording_and_leaves_the_2015_questionnaire_as_printed(app):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, make_open_round(app, wellbeing=True))
        codes = [q.code for q in survey_round.questions]
        assert codes[-4:] == list(CODES)
        module = {q.code: q for q in survey_round.wellbeing_module.questions}
        assert {c: q.web_text for c, q in module.items()} == ONS_WORDING
        assert all(q.kind == "scale" for q in module.values())
        # The 2015 questionnaire is untouched: no ONS question in it or in its file.
        printed = tomllib.loads(
            (QUESTIONNAIRES_DIR / "new-belongings-2015.toml").read_text(encoding="utf-8")
        )
        assert [q.code for q in survey_round.questionnaire.questions] == [
            q["code"] for q in printed["questions"]
        ]
        # The module is never offered as a questionnaire to use or edit.
        assert MODULE_KEY not in {q.key for q in questionnaires()}
        assert survey_round.wellbeing_module.is_locked


def test_a_worker_adds_the_module_on_the_round_form_and_it_is_fixed_once_open(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get("/staff/rounds/new")
    assert "Add the 4 personal well-being questions (ONS4)" in page.text
    with app.app_context():
        questionnaire_id = load_questionnaire_file().id
    data = {
        "name": "Spring survey 2026",
        "questionnaire_id": str(questionnaire_id),
        "opens_on": ["1", "3", "2026"],
        "closes_on": ["31", "5", "2026"],
        "target_rate": "35",
        "channels": ["web"],
        "includes_wellbeing": "y",
    }
    location = client.post("/staff/rounds/new", data=data).headers["Location"]
    round_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).includes_wellbeing
    client.post(f"/staff/rounds/{round_id}/open")
    edit = client.get(f"/staff/rounds/{round_id}/edit")
    assert "Personal well-being questions (ONS4)" in edit.text
    assert "Included. You cannot change this once the round has opened." in edit.text
    data.pop("includes_wellbeing")
    client.post(f"/staff/rounds/{round_id}/edit", data=data)
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).includes_wellbeing  # still included


def test_the_web_survey_asks_each_question_as_11_radios_and_stores_whole_numbers(
    app, client, round_id
):
    answer_all(client)
    page = client.get(f"{BASE}/q/ONS1")
    assert page.status_code == 200
    assert ONS_WORDING["ONS1"] in page.text
    radios = re.findall(r'<input class="govuk-radios__input" id="[^"]+" name="score"', page.text)
    assert len(radios) == 11
    assert (
        "0 \u2013 not at all satisfied" in page.text
        and "10 \u2013 completely satisfied" in page.text
    )
    assert "<legend" in page.text  # the question is the radios' legend
    wrong = client.post(f"{BASE}/q/ONS1", data={"action": "answer", "score": "11"})
    assert "Choose a number from 0 to 10" in wrong.text
    for code, score in SCORES.items():
        client.post(f"{BASE}/q/{code}", data={"action": "answer", "score": str(score)})
    check = client.get(f"{BASE}/check")
    assert ONS_WORDING["ONS2"] in check.text
    assert client.post(f"{BASE}/check").headers["Location"].endswith("/thanks")
    stored = _stored(app, "web")
    assert _ons(stored) == {code: {"score": score} for code, score in SCORES.items()}
    assert all(type(v["score"]) is int for v in _ons(stored).values())


def test_a_text_conversation_asks_for_0_to_10_and_reasks_a_reply_it_cannot_read(
    app, client, round_id
):
    phone = Phone(client)
    first = phone.say("BELONG")
    assert "There are 13 questions" in first
    for code in TEXTS:
        reply = phone.say(TEXTS[code])
    assert "10/13" in reply and "satisfied are you with your life nowadays" in reply
    assert "Reply 0-10 or SKIP" in reply
    again = phone.say("about 12")  # not a score from 0 to 10: asked again, plainly
    assert "number from 0 to 10" in again and "11/13" not in again
    assert "11/13" in phone.say(f"{SCORES['ONS1']}/10")
    again = phone.say("loads")
    assert "number from 0 to 10" in again and "12/13" not in again
    for code in ("ONS2", "ONS3", "ONS4"):
        reply = phone.say(str(SCORES[code]))
    assert "Thank you" in reply
    stored = _stored(app, "sms")
    assert _ons(stored) == {code: {"score": score} for code, score in SCORES.items()}


def test_the_paper_form_has_boxes_0_to_10_and_keying_stores_whole_numbers(
    app, logged_in_as, round_id
):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        body = pdf.forms_pdf(survey_round, [1], large_print=False)
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    )
    assert "ONS1" in text and "satisfied are you with your life nowadays" in text
    assert "0 1 2 3 4 5 6 7 8 9 10" in text
    assert "0 = not at all anxious, 10 = completely anxious" in text

    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/key"
    page = client.get(url)
    for code in CODES:
        assert f'name="{code}"' in page.text
    bad = client.post(
        url, data={"channel": "paper", "serial": f"{SLUG.upper()}-0001", **form(ONS1="12")}
    )
    assert bad.status_code == 400 and "ONS1: Choose a number from 0 to 10" in bad.text
    keyed = {code: str(score) for code, score in SCORES.items()}
    saved = client.post(
        url, data={"channel": "paper", "serial": f"{SLUG.upper()}-0001", **form(**keyed)}
    )
    assert saved.status_code == 302
    stored = _stored(app, "paper")
    assert _ons(stored) == {code: {"score": score} for code, score in SCORES.items()}


def _expected_band(code: str, score: int) -> str:
    """The ONS's published thresholds, written out again here on purpose."""
    if code == "ONS4":  # anxiety
        if score <= 1:
            return "very_low"
        if score <= 3:
            return "low"
        if score <= 5:
            return "medium"
        return "high"
    if score <= 4:
        return "low"
    if score <= 6:
        return "medium"
    if score <= 8:
        return "high"
    return "very_high"


@pytest.mark.parametrize("code", CODES)
def test_every_score_falls_in_the_ons_threshold_band(code):
    for score in range(0, 11):
        assert band(code, score).key == _expected_band(code, score), (code, score)
    with pytest.raises(ValueError):
        band(code, 11)
