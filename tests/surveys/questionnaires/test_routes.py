"""The questionnaire editor pages, as staff use them (with and without htmx)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.access import allowed_roles
from app.staff.auth.models import Role
from surveys.editor.services import LOCKED_MESSAGE
from surveys.models import Questionnaire
from tests.app.test_bad_input import INPUT_NAME, NASTY
from tests.surveys.questionnaires.helpers import built_in_id, codes, lock

EDITORS = frozenset({Role.ADMIN, Role.PARTICIPATION_WORKER})
HTMX = {"HX-Request": "true"}


def _copy(client, questionnaire_id: int) -> int:
    response = client.post(f"/questionnaires/{questionnaire_id}/copy")
    assert response.status_code == 302
    return int(re.search(r"/questionnaires/(\d+)$", response.headers["Location"])[1])


def test_only_admins_and_participation_workers_may_edit(app):
    with app.test_request_context():
        endpoints = [
            r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("questionnaires.")
        ]
        assert len(endpoints) == 9
        for endpoint in endpoints:
            assert allowed_roles(endpoint) == EDITORS, endpoint


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DATA_ENTRY])
def test_other_roles_get_403(app, logged_in_as, role):
    questionnaire_id = built_in_id(app)
    client = logged_in_as(role)
    assert client.get("/questionnaires").status_code == 403
    assert client.get(f"/questionnaires/{questionnaire_id}").status_code == 403
    assert client.post(f"/questionnaires/{questionnaire_id}/copy").status_code == 403
    assert codes(app, questionnaire_id)[:2] == ["Q1", "Q2"]


def test_list_offers_the_built_in_then_shows_versions(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get("/questionnaires")
    assert "Add the New Belongings questionnaire" in page.text
    response = client.post("/questionnaires/built-in", follow_redirects=True)
    assert "New Belongings care leaver survey (version 1)" in response.text
    page = client.get("/questionnaires").text
    assert "Add the New Belongings questionnaire" not in page
    assert "Draft" in page and "0 rounds" in page
    assert "Questionnaires" in client.get("/staff").text


def test_copy_to_a_new_draft_keeps_the_original(app, logged_in_as):
    questionnaire_id = built_in_id(app)
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, questionnaire_id)
    page = client.get(f"/questionnaires/{draft_id}").text
    assert "Version 2 is a new draft copied from version 1." in page
    assert codes(app, draft_id) == codes(app, questionnaire_id)
    listing = client.get("/questionnaires").text
    assert "(version 2)" in listing and "Copied from version 1" in listing
    with app.app_context():
        assert db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "questionnaire.copy")
        )


def test_edit_wording_and_see_the_sms_warning(app, logged_in_as):
    draft_id = 0
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    url = f"/questionnaires/{draft_id}/questions/Q4"
    page = client.get(url).text
    assert "What are the best 3 things about leaving care?" in page
    curly = "What\u2019s best about leaving care? " + "Tell us in a few words. " * 3
    response = client.post(
        url,
        data={
            "web_text": "What are the 3 best things about leaving care?",
            "hint": "For example, having your own place.",
            "sms_text": curly,
            "max_items": "3",
        },
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert "What are the 3 best things about leaving care?" in page
    assert "will be sent as 2 texts" in page and "\u2019" in page
    with app.app_context():
        question = db.session.get(Questionnaire, draft_id).questions[3]
        assert question.hint == "For example, having your own place."
    version = client.get(f"/questionnaires/{draft_id}").text
    assert "Text message: 2 texts" in version


def test_edit_options_with_a_mistake_shows_how_to_fix_it(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    url = f"/questionnaires/{draft_id}/questions/Q3"
    assert "1: Male\n2: Female" in client.get(url).text
    response = client.post(url, data={"web_text": "Are you?", "options_text": "1: Male\n1: Girl"})
    assert response.status_code == 200
    assert "Give each answer its own number: 1 is used more than once" in response.text
    response = client.post(
        url, data={"web_text": "Are you?", "options_text": "1: Male\n2: Female\nOther [other]"}
    )
    assert response.status_code == 302
    with app.app_context():
        options = db.session.get(Questionnaire, draft_id).questions[2].options
    assert options[-1] == {"value": "3", "label": "Other", "other": True}


def test_add_a_local_question_in_two_steps(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    draft_id = _copy(client, built_in_id(app))
    url = f"/questionnaires/{draft_id}/questions/new"
    assert "What kind of answer" in client.get(url).text
    assert "Choose what kind of answer" in client.get(url, query_string={"kind": "x"}).text
    page = client.get(url, query_string={"kind": "scale"}).text
    assert 'value="L1"' in page and "What 10 means" in page
    response = client.post(
        url,
        data={
            "kind": "scale",
            "code": "L1",
            "web_text": "How settled do you feel where you live?",
            "scale_min_label": "Not at all",
            "scale_max_label": "Completely",
            "sms_text": "How settled do you feel where you live? Reply 0 to 10, or SKIP.",
        },
    )
    assert response.status_code == 302
    assert codes(app, draft_id)[-1] == "L1"
    assert client.post(f"/questionnaires/{draft_id}/questions/L1/move/up").status_code == 302
    assert codes(app, draft_id)[-2:] == ["L1", "Q12"]
    page = client.get(f"/questionnaires/{draft_id}").text
    assert page.index("How settled do you feel") < page.index("Is there anything else")


def test_move_and_remove_without_and_with_htmx(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    base = f"/questionnaires/{draft_id}/questions"
    response = client.post(f"{base}/Q2/move/down", follow_redirects=True)
    assert "Q2 is now question 3." in response.text
    assert codes(app, draft_id)[:3] == ["Q1", "Q3", "Q2"]

    fragment = client.post(f"{base}/Q2/move/up", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="questions"' in fragment.text
    assert "Q2 is now question 2." in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert codes(app, draft_id)[:3] == ["Q1", "Q2", "Q3"]

    assert "Q1 is already first." in client.post(f"{base}/Q1/move/up", headers=HTMX).text

    fragment = client.post(f"{base}/Q3/remove", headers=HTMX)
    assert "Q3 removed from version 2." in fragment.text
    assert "Are you male or female?" not in fragment.text
    response = client.post(f"{base}/Q4/remove")
    assert response.status_code == 302
    assert codes(app, draft_id) == ["Q1", "Q2", "Q5", "Q6", "Q7", "Q11", "Q12"]
    assert client.post(f"{base}/Q4/remove").status_code == 404


def test_edit_title_introduction_and_closing(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    url = f"/questionnaires/{draft_id}/details"
    assert "Your local authority is taking part" in client.get(url).text
    response = client.post(
        url,
        data={"title": "Northbridge care leaver survey", "introduction": "Hello.", "closing": ""},
    )
    assert response.status_code == 302
    assert "Northbridge care leaver survey (version 2)" in client.get(response.location).text
    assert "Enter a title" in client.post(url, data={"title": ""}).text


def test_locked_version_is_read_only_and_refuses_changes(app, logged_in_as):
    questionnaire_id = built_in_id(app)
    lock(app, questionnaire_id)
    client = logged_in_as(Role.ADMIN)
    page = client.get(f"/questionnaires/{questionnaire_id}").text
    assert LOCKED_MESSAGE in page
    assert "Move up" not in page and "Remove" not in page and "Add a question" not in page
    listing = client.get("/questionnaires").text
    assert "Locked" in listing and "1 round" in listing

    question_page = client.get(f"/questionnaires/{questionnaire_id}/questions/Q4").text
    assert LOCKED_MESSAGE in question_page and "Save question" not in question_page
    assert LOCKED_MESSAGE in client.get(f"/questionnaires/{questionnaire_id}/questions/new").text
    assert LOCKED_MESSAGE in client.get(f"/questionnaires/{questionnaire_id}/details").text

    base = f"/questionnaires/{questionnaire_id}"
    attempts = [
        (f"{base}/questions/Q4", {"web_text": "Changed"}),
        (f"{base}/questions/new", {"kind": "long_text", "code": "L1", "web_text": "New?"}),
        (f"{base}/questions/Q4/move/up", {}),
        (f"{base}/questions/Q4/remove", {}),
        (f"{base}/details", {"title": "Changed"}),
    ]
    for url, data in attempts:
        response = client.post(url, data=data)
        assert response.status_code == 409, url
        assert LOCKED_MESSAGE in response.text, url
        assert "Nothing was changed" in response.text
    fragment = client.post(f"{base}/questions/Q4/remove", headers=HTMX)
    assert fragment.status_code == 200 and LOCKED_MESSAGE in fragment.text

    assert codes(app, questionnaire_id) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q11", "Q12"]
    with app.app_context():
        locked = db.session.get(Questionnaire, questionnaire_id)
        assert locked.title == "New Belongings care leaver survey"
        assert locked.questions[3].web_text == "What are the best 3 things about leaving care?"

    draft_id = _copy(client, questionnaire_id)
    assert "Add a question" in client.get(f"/questionnaires/{draft_id}").text


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
def test_hostile_text_in_the_editor_forms_never_breaks_a_page(app, logged_in_as, nasty):
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    base = f"/questionnaires/{draft_id}"
    urls = [
        f"{base}/details",
        f"{base}/questions/Q2",
        f"{base}/questions/Q4",
        f"{base}/questions/new?kind=single_choice",
        f"{base}/questions/new?kind=short_items",
        f"{base}/questions/new?kind=scale",
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        names = set(INPUT_NAME.findall(page.text)) - {"csrf_token", "kind"}
        response = client.post(url, data={name: nasty for name in names})
        assert response.status_code < 500, url
        for text in (response.text, client.get(url).text, client.get(base).text):
            assert "<script>alert" not in text
            assert "<img src=x onerror" not in text


def test_how_many_things_must_be_a_small_whole_number(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    draft_id = _copy(client, built_in_id(app))
    url = f"/questionnaires/{draft_id}/questions/Q4"
    for bad in ("9" * 5000, "three", "-1"):
        response = client.post(url, data={"web_text": "Best things?", "max_items": bad})
        assert response.status_code == 200
        assert "Enter a whole number from 1 to 10, like 3" in response.text
    response = client.post(url, data={"web_text": "Best things?", "max_items": "11"})
    assert "Ask for between 1 and 10 things" in response.text
    assert client.post(url, data={"web_text": "Best things?", "max_items": "5"}).status_code == 302
