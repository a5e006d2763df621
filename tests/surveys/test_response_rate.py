"""One response rate on every page: the round page, the response-rate dashboard, the board's
dashboard, the pack (PDF and XLSX), its method note and glossary all show the same figure,
and it equals a count made here from the rows (completed responses ÷ care leavers on the
contact list who were 16 to 25, agreed and not barred on the day the round opened).
Erasing a contact or importing new ones after the opening does not move the denominator."""

from __future__ import annotations

import io
import math
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from app.board import pack
from app.core.extensions import db
from app.outreach.contacts import history
from app.outreach.contacts import services as contacts
from app.outreach.contacts.models import Contact
from app.staff.auth.models import Role
from surveys.models import Response, SurveyRound
from surveys.response_rate import DEFINITION, GLOSSARY
from surveys.rounds import tasks as round_tasks
from surveys.services import RoundDetails, create_round, load_questionnaire_file, open_round
from tests.conftest import FROZEN_AT
from tests.surveys.rounds.helpers import add_response

TODAY = FROZEN_AT.date()  # the suite's frozen clock's day, never the wall clock's
# Twenty completed responses, five by each of four channels (enough that no cell is small and
# the dashboard's disclosure control hides nothing: hidden figures are tested elsewhere).
CHANNELS = ["web", "sms", "paper", "phone"] * 5


def _contact(i: int, born: str, *, consent: bool = True) -> int:
    contact = contacts.save_contact(
        None,
        {
            "name": f"Person {i}",
            "date_of_birth": born,
            "mobile": f"07700 900{i:03d}",
            "email": f"p{i}@example.org",
            "address": f"{i} Fiction Road\nNorthbridge",
            "postcode": "NB1 2AB",
            "team": "North",
            "in_touch": True,
            "consent": consent,
        },
    )
    return contact.id


def independent_eligible(on: date) -> int:
    """Contacts 16 to 25 on ``on``, agreed, not barred: counted from the rows, not the app."""
    born = db.session.scalars(
        sa.select(Contact.date_of_birth).where(
            Contact.consent.is_(True),
            Contact.do_not_contact.is_(False),
            Contact.opted_out.is_(False),
            Contact.date_of_birth.is_not(None),
        )
    )
    ages = [on.year - b.year - ((on.month, on.day) < (b.month, b.day)) for b in born]
    return sum(1 for age in ages if 16 <= age <= 25)


def independent_completed(round_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.round_id == round_id, Response.status == "complete")
    )


def _round_with_list(app) -> tuple[int, int, int]:
    """26 on the list (24 eligible), the round opened, twenty answers by four channels."""
    with app.app_context():
        for i in range(24):
            _contact(i, f"{1 + i:02d}/03/2005")
        _contact(60, "01/03/2012")  # 14 when the round opens: not eligible
        _contact(61, "01/03/2004", consent=False)
        questionnaire = load_questionnaire_file()
        survey_round = create_round(
            RoundDetails(
                name="Rate round",
                questionnaire_id=questionnaire.id,
                opens_on=TODAY - timedelta(days=5),
                closes_on=TODAY + timedelta(days=20),
                target_rate=30,
                cohort_size=400,  # a staff estimate: not used, there is a list
                channels=("web", "sms", "paper", "phone"),
            )
        )
        eligible = independent_eligible(survey_round.opens_on)
        open_round(survey_round)
        for channel in CHANNELS:
            add_response(survey_round, channel, {"Q1": {"age": 21}})
        add_response(survey_round, "web", {}, complete=False)
        return survey_round.id, eligible, independent_completed(survey_round.id)


def _rate(part: int, whole: int) -> int:
    return math.floor(part * 100 / whole + 0.5)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_page_shows_the_same_rate_as_an_independent_count(app, logged_in_as, job_queue):
    round_id, eligible, completed = _round_with_list(app)
    assert (eligible, completed) == (24, 20)
    rate = _rate(completed, eligible)  # 83%, not 20 of the estimated 400 (5%)
    client = logged_in_as(Role.ADMIN)

    # The round page.
    page = client.get(f"/staff/rounds/{round_id}").text
    assert re.search(rf'id="figure-response-rate">\s*{rate}%\s*<', page)
    text = _text(page)
    assert f"{completed} completed responses from {eligible} eligible care leavers" in text
    assert DEFINITION in text

    # The response-rate dashboard.
    page = client.get(f"/staff/rounds/{round_id}/response-rate").text
    assert f'id="figure-rate">{rate}%<' in page
    assert f'id="figure-eligible">{eligible}<' in page
    assert f'id="figure-responded">{completed}<' in page
    assert DEFINITION in _text(page)

    # The board's dashboard.
    page = client.get(f"/board?round={round_id}").text
    text = _text(page)
    assert f"Response rate {rate}%" in text
    assert f"{rate}% of the {eligible} eligible care leavers" in text
    assert DEFINITION in text

    # The pack: PDF headline, method note and glossary; XLSX summary.
    with app.test_request_context():
        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        done = pack.build_pack(job.id)
        assert done.status == "done"
        pdf = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(done.pdf)).pages
        )
        sheet = load_workbook(io.BytesIO(done.xlsx))["Summary"]
        rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert re.search(rf"Response rate \(target 30%\)\s+{rate}%", pdf)
    assert f"{DEFINITION} For this round it is {rate}%." in pdf
    assert f"{eligible} care leavers on the contact list were eligible" in pdf
    assert f"Response rate {GLOSSARY}" in pdf
    assert rows["Response rate"][0] == pytest.approx(rate / 100)  # a number Excel shows as 83%
    assert rows["Eligible"][0] == eligible
    assert rows["Care leavers who answered"][0] == completed


def test_erasing_or_importing_contacts_after_opening_does_not_move_the_denominator(
    app, logged_in_as
):
    round_id, eligible, completed = _round_with_list(app)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    before = client.get(f"/staff/rounds/{round_id}/response-rate").text
    with app.app_context():
        history.erase_contact(db.session.get(Contact, 1))  # asked to be forgotten
        for i in range(30, 36):  # six more eligible people imported after the opening
            _contact(i, f"{1 + i % 28:02d}/04/2004")
        assert independent_eligible(TODAY - timedelta(days=5)) == eligible - 1 + 6
    rate = _rate(completed, eligible)
    after = client.get(f"/staff/rounds/{round_id}/response-rate").text
    assert f'id="figure-eligible">{eligible}<' in before
    assert f'id="figure-eligible">{eligible}<' in after
    assert f'id="figure-rate">{rate}%<' in after
    page = client.get(f"/staff/rounds/{round_id}").text
    assert re.search(rf'id="figure-response-rate">\s*{rate}%\s*<', page)


def test_a_round_with_no_list_uses_the_staff_estimate_and_says_so(app, logged_in_as):
    with app.app_context():
        questionnaire = load_questionnaire_file()
        survey_round = open_round(
            create_round(
                RoundDetails(
                    name="No list",
                    questionnaire_id=questionnaire.id,
                    opens_on=TODAY,
                    closes_on=TODAY + timedelta(days=9),
                    cohort_size=50,
                )
            )
        )
        for _ in range(5):
            add_response(survey_round)
        round_id = survey_round.id
        no_estimate = open_round(
            create_round(
                RoundDetails(
                    name="Nothing known",
                    questionnaire_id=questionnaire.id,
                    opens_on=TODAY,
                    closes_on=TODAY + timedelta(days=9),
                ),
                slug="nothing-known",
            )
        ).id
    client = logged_in_as(Role.ADMIN)
    text = _text(client.get(f"/staff/rounds/{round_id}").text)
    assert "5 completed responses from 50 care leavers staff said they would ask" in text
    assert "an estimate entered by staff" in text
    page = client.get(f"/staff/rounds/{round_id}/response-rate").text
    assert "Care leavers to ask (staff estimate)" in page and 'id="figure-rate">10%<' in page
    text = _text(client.get(f"/staff/rounds/{no_estimate}").text)
    assert "The response rate is not known: there was no contact list" in text


def test_a_round_opened_before_the_count_was_kept_gets_it_from_the_job_not_a_page(
    app, logged_in_as
):
    round_id, eligible, completed = _round_with_list(app)
    with app.app_context():
        db.session.get_one(SurveyRound, round_id).eligible_at_opening = None  # opened before 0018
        db.session.commit()
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    for url in (f"/staff/rounds/{round_id}", f"/staff/rounds/{round_id}/response-rate"):
        assert client.get(url).status_code == 200
    with app.app_context():  # the pages only read: nothing was recorded on a GET
        assert db.session.get_one(SurveyRound, round_id).eligible_at_opening is None
        assert round_tasks.record_eligible_counts.call_local() == 1
        assert db.session.get_one(SurveyRound, round_id).eligible_at_opening == eligible
        assert round_tasks.record_eligible_counts.call_local() == 0  # once, then never again
    page = client.get(f"/staff/rounds/{round_id}/response-rate").get_data(as_text=True)
    assert f'id="figure-eligible">{eligible}<' in page
    assert f"{_rate(completed, eligible)}%" in page
