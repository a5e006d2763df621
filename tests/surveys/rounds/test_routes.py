"""Staff pages for survey rounds: setting up, opening and closing, figures, the responses table,
the response view, and who may see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.access import allowed_roles
from app.staff.auth.models import Role
from surveys.models import Questionnaire, SurveyRound
from surveys.rounds.services import percent
from surveys.rounds.tallies import record_tallies
from surveys.services import load_questionnaire_file
from tests.surveys.rounds.helpers import TODAY, add_response, make_round

ROUND_STAFF = frozenset({Role.ADMIN, Role.PARTICIPATION_WORKER})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- Setting up, opening and closing ------------------------------------------------------


def _round_form(questionnaire_id: int, **overrides):
    data = {
        "name": "Spring survey 2026",
        "questionnaire_id": str(questionnaire_id),
        "opens_on": ["1", "3", "2026"],
        "closes_on": ["31", "5", "2026"],
        "cohort_size": "250",
        "target_rate": "35",
        "channels": ["web", "paper"],
    }
    data.update(overrides)
    return data


def test_a_worker_sets_up_a_round_which_starts_as_a_draft(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get("/staff/rounds/new")
    assert page.status_code == 200
    assert "New Belongings care leaver survey (version 1)" in page.text
    with app.app_context():
        questionnaire_id = load_questionnaire_file().id

    response = client.post("/staff/rounds/new", data=_round_form(questionnaire_id))

    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(sa.select(SurveyRound))
        assert response.headers["Location"] == f"/staff/rounds/{created.id}"
        assert created.name == "Spring survey 2026"
        assert (created.opens_on.isoformat(), created.closes_on.isoformat()) == (
            "2026-03-01",
            "2026-05-31",
        )
        assert (created.cohort_size, created.target_rate) == (250, 35)
        assert created.channels == ["web", "paper"]
        assert created.status == "draft"
        assert re.fullmatch(r"[a-z0-9]{6}", created.slug)
        slug = created.slug
    page = client.get(response.headers["Location"])
    assert f"http://localhost/s/{slug}" in page.text
    assert "Open the round" in page.text
    assert len(_audit(app, "round.create")) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter a name for the round"),
        ({"opens_on": ["", "", ""]}, "Enter the opening date"),
        ({"opens_on": ["1", "3", ""]}, "The opening date must include a year"),
        ({"opens_on": ["31", "2", "2026"]}, "The opening date must be a real date"),
        ({"opens_on": ["1", "99999999999999999999", "2026"]}, "The opening date must be a real"),
        ({"opens_on": ["1"]}, "The opening date must include a month and a year"),
        ({"opens_on": ["1", "March", "2026"]}, "Enter the opening date in numbers"),
        ({"closes_on": ["1", "2", "2026"]}, "The closing date must be the same as or after"),
        ({"target_rate": "0"}, "Enter a target from 1 to 100"),
        ({"cohort_size": "lots"}, "Enter a whole number, like 30"),
        ({"channels": []}, "Choose at least one way for people to answer"),
    ],
)
def test_a_round_with_mistakes_is_not_saved_and_the_page_says_how_to_fix_it(
    app, logged_in_as, overrides, message
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        questionnaire_id = load_questionnaire_file().id
    response = client.post("/staff/rounds/new", data=_round_form(questionnaire_id, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "govuk-error-summary" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyRound.id))) == 0


def test_opening_locks_the_questionnaire_and_closing_ends_the_round(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        questionnaire_id = load_questionnaire_file().id
    location = client.post("/staff/rounds/new", data=_round_form(questionnaire_id)).location
    round_id = int(location.rsplit("/", 1)[1])

    opened = client.post(f"/staff/rounds/{round_id}/open", follow_redirects=True)
    assert "Round opened" in opened.text
    assert "Close the round" in opened.text
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert survey_round.status == "open"
        assert db.session.get(Questionnaire, questionnaire_id).status == "locked"
    edit = client.get(f"/staff/rounds/{round_id}/edit")
    assert 'name="questionnaire_id"' not in edit.text
    assert "You cannot change it once the round has opened" in edit.text

    closed = client.post(f"/staff/rounds/{round_id}/close", follow_redirects=True)
    assert "Round closed" in closed.text
    assert "Closed" in closed.text
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).status == "closed"

    # Draft -> open -> closed: a closed round is not opened again by a replayed button.
    again = client.post(f"/staff/rounds/{round_id}/open", follow_redirects=True)
    assert "Only a draft round can be opened" in again.text
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).status == "closed"
    assert [len(_audit(app, a)) for a in ("round.open", "round.close")] == [1, 1]


def test_a_worker_changes_an_open_round(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        round_id = make_round().id
    response = client.post(
        f"/staff/rounds/{round_id}/edit",
        data={
            "name": "Renamed round",
            "opens_on": ["1", "3", "2026"],
            "closes_on": ["31", "12", "2026"],
            "cohort_size": "",
            "target_rate": "40",
            "channels": ["web", "group"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert survey_round.name == "Renamed round"
        assert survey_round.cohort_size is None
        assert survey_round.target_rate == 40
        assert survey_round.channels == ["web", "group"]
        assert survey_round.status == "open"


def test_unknown_rounds_and_responses_are_not_found(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    with app.app_context():
        first = make_round(name="First")
        other = make_round(name="Other")
        response_id = add_response(other)
        first_id = first.id
    assert client.get("/staff/rounds/999").status_code == 404
    assert client.get(f"/staff/rounds/{first_id}/responses/{response_id}").status_code == 404


# --- The round page -----------------------------------------------------------------------


def test_percentages_are_whole_numbers_with_halves_rounded_up():
    assert percent(3, 10) == 30
    assert percent(1, 3) == 33
    assert percent(3, 8) == 38
    assert percent(5, 0) is None
    assert percent(5, None) is None


def test_the_round_page_shows_the_figures_a_worker_needs(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    monday = TODAY - timedelta(days=3)
    with app.app_context():
        survey_round = make_round(cohort_size=10, target_rate=30)
        add_response(survey_round, "web", {"Q1": {"age": 18}})
        # Stopped before Q3 (Q1 and Q2 done), and before Q1 (nothing answered yet).
        add_response(
            survey_round, "web", {"Q1": {"age": 17}, "Q2": {"choice": "1"}}, complete=False
        )
        record_tallies(on=monday)  # the daily job, at the end of Monday
        add_response(survey_round, "web", {"Q1": {"age": 19}})
        add_response(survey_round, "sms", {"Q1": None})
        add_response(survey_round, "sms", {}, complete=False)
        round_id = survey_round.id

    page = client.get(f"/staff/rounds/{round_id}")

    assert page.status_code == 200
    html = page.text
    # A summary, not individual records: small counts go through the disclosure rule.
    assert re.search(r'id="figure-complete">\s*fewer than 5\s*<', html)
    assert re.search(r'id="figure-in-progress">\s*fewer than 5\s*<', html)
    assert re.search(r'id="figure-response-rate">\s*Not shown\s*<', html)
    text = _text(html)
    assert "Fewer than 5 care leavers have answered so far." in text
    assert "\u201cFewer than 5\u201d means 0 to 4 people." in text
    assert "Paper 0 0" in text
    assert "Online fewer than 5 fewer than 5" in text
    assert "Q3 Are you male or female? fewer than 5" in text
    assert "Completion rate" not in text and "target is met" not in text
    # Finished by day, from the daily tallies (responses keep no date); today is live.
    assert f"{TODAY.strftime('%a %-d %b %Y')} fewer than 5" in text
    assert f"{monday.strftime('%a %-d %b %Y')} fewer than 5" in text
    assert "http://localhost/s/" in text


def test_the_round_page_says_how_many_more_responses_reach_the_target(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    with app.app_context():
        survey_round = make_round(cohort_size=400, target_rate=30)
        for _ in range(20):
            add_response(survey_round)
        round_id = survey_round.id
    text = _text(client.get(f"/staff/rounds/{round_id}").text)
    assert (
        "20 completed responses from 400 care leavers staff said they would ask "
        "(an estimate entered by staff): 5%. 100 more completed responses are needed to reach "
        "the 30% target." in text
    )
    assert "Completion rate: 100%. Of 20 people who started, 20 finished." in text


def test_the_poster_has_the_short_link_and_a_qr_code(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = make_round(slug="spring26")
        round_id = survey_round.id
    poster = client.get(f"/staff/rounds/{round_id}/poster")
    assert poster.status_code == 200
    assert "http://localhost/s/spring26" in poster.text
    assert f'src="/staff/rounds/{round_id}/qr-code.svg"' in poster.text
    assert 'alt="QR code that opens http://localhost/s/spring26"' in poster.text
    assert "css/rounds.css" in poster.text
    qr = client.get(f"/staff/rounds/{round_id}/qr-code.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.text.startswith("<svg") and "<path" in qr.text


# --- The responses table and the response view --------------------------------------------


def test_the_responses_table_pages_by_25_and_filters(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = make_round()
        for n in range(30):
            add_response(survey_round, "paper" if n < 4 else "web")
        add_response(survey_round, "sms", complete=False)
        add_response(survey_round, "web", complete=False)
        round_id = survey_round.id
    url = f"/staff/rounds/{round_id}/responses"

    first = client.get(url)
    assert first.status_code == 200
    assert "30 responses, page 1 of 2" in first.text
    assert first.text.count(f'href="{url}/') == 25
    assert "hx-get=" in first.text and 'hx-target="#responses-results"' in first.text
    assert 'hx-push-url="true"' in first.text
    assert f'href="{url}?page=2"' in first.text

    second = client.get(f"{url}?page=2")
    assert second.text.count(f'href="{url}/') == 5

    unfinished = client.get(f"{url}?status=in_progress")
    assert "2 responses" in unfinished.text
    assert "In progress" in _text(unfinished.text)
    assert "4 responses" in client.get(f"{url}?channel=paper").text
    assert "32 responses" in client.get(f"{url}?status=any").text
    # A filtered page offers downloads of the same responses.
    assert (
        f"{url.rsplit('/', 1)[0]}/export.csv?channel=paper"
        in client.get(f"{url}?channel=paper").text
    )


def test_htmx_filters_get_only_the_table_and_other_requests_the_whole_page(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = make_round()
        add_response(survey_round, "sms")
        round_id = survey_round.id
    url = f"/staff/rounds/{round_id}/responses?channel=sms"

    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "1 response" in partial.text
    assert "HX-Request" in partial.headers["Vary"]

    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text
    full = client.get(url)
    assert "<html" in full.text and "HX-Request" in full.headers["Vary"]


def test_reading_a_response_shows_each_answer_and_is_audited(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = make_round()
        response_id = add_response(
            survey_round,
            "paper",
            {
                "Q1": {"age": 19},
                "Q2": {"choice": "6", "other": "Living with my nan"},
                "Q4": {"items": ["My own space", "Cooking"]},
                "Q7": None,
                "Q11": {"choice": "not_sure"},
            },
        )
        round_id = survey_round.id

    page = client.get(f"/staff/rounds/{round_id}/responses/{response_id}")

    assert page.status_code == 200
    text = _text(page.text)
    assert "What is your date of birth? Age 19" in text
    assert "Other: Living with my nan" in text
    assert "My own space Cooking" in text
    assert "What advice would you give to another care leaver? Skipped" in text
    assert "Not sure" in text
    assert "Is there anything else you would like to say" in text
    assert "Not answered yet" in text
    events = _audit(app, "response.view")
    assert len(events) == 1
    assert events[0].object_type == "Response"
    assert events[0].object_id == str(response_id)
    assert events[0].actor_label == "participation_worker@example.org"


# --- Who may use these pages --------------------------------------------------------------


def test_every_round_page_is_for_admins_and_participation_workers_only(app):
    with app.test_request_context():
        endpoints = [
            r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("rounds.")
        ]
        assert len(endpoints) >= 10
        for endpoint in endpoints:
            assert allowed_roles(endpoint) == ROUND_STAFF, endpoint


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DATA_ENTRY], ids=lambda r: r.value)
def test_board_members_and_data_entry_cannot_see_rounds_or_responses(app, logged_in_as, role):
    client = logged_in_as(role)
    with app.app_context():
        survey_round = make_round()
        response_id = add_response(survey_round)
        base = f"/staff/rounds/{survey_round.id}"
    for url in [
        "/staff/rounds",
        "/staff/rounds/new",
        base,
        f"{base}/edit",
        f"{base}/poster",
        f"{base}/qr-code.svg",
        f"{base}/responses",
        f"{base}/responses/{response_id}",
        f"{base}/export.csv",
        f"{base}/export.xlsx",
    ]:
        assert client.get(url).status_code == 403, url
    for url in [f"{base}/open", f"{base}/close", "/staff/rounds/new"]:
        assert client.post(url).status_code == 403, url
    assert _audit(app, "response.view") == []
    assert _audit(app, "responses.export") == []
    assert "Surveys" not in client.get("/staff").text


def test_the_new_round_page_offers_every_edition_without_writing_and_saving_loads_it(
    app, logged_in_as
):
    """A fresh install has no questionnaire stored: the form offers both shipped editions, the
    GET stores nothing, and saving a round with the 2026 edition stores that edition then."""
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get("/staff/rounds/new").text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Questionnaire.id))) == 0
    offered = dict(
        (label.strip(), value)
        for value, label in re.findall(r'<option value="(-?\d+)"[^>]*>([^<]+)</option>', page)
    )
    edition_2026 = next(v for label, v in offered.items() if "2026" in label)
    assert any("2026" not in label for label in offered)
    response = client.post("/staff/rounds/new", data=_round_form(int(edition_2026)))
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(sa.select(SurveyRound))
        assert "2026" in created.questionnaire.title
        assert db.session.scalar(sa.select(sa.func.count(Questionnaire.id))) == 1
