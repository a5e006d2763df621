"""Words typed on a survey page that no answer keeps are screened all the same.

The attacks, from an adversarial check of the web survey: each of these typed a disclosure and
got no flag for the lead (and mostly no help): typed then pressed Skip, written in the "Other"
box beside another choice, refused as an answer (too long, words in the date of birth, an
"Other" with no choice), posted to a round that closed meanwhile, or written again after the
lead had closed the answer's flag.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Answer, SurveyRound
from surveys.safeguarding.models import FlagStatus, SafeguardingFlag
from surveys.services import close_round
from tests.conftest import make_staff, sign_in
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"
DISCLOSURE = "I want to kill myself"


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


@pytest.fixture
def started(client, round_id):
    client.post(f"{BASE}/start")
    return client


def test_typed_then_skipped_is_flagged_and_sent_to_help(app, started):
    response = started.post(f"{BASE}/q/Q7", data={"action": "skip", "text": DISCLOSURE})
    assert "/help" in response.headers["Location"]
    [flag] = _flags(app)
    assert flag.said == DISCLOSURE and flag.level == "likely"
    with app.app_context():
        answer = db.session.get(Answer, flag.answer_id)
        assert answer is not None and answer.skipped, "still skipped, as they asked"
    make_staff(app, Role.SAFEGUARDING_LEAD, "lead@example.org")
    lead = app.test_client()
    sign_in(lead, "lead@example.org")
    page = lead.get(f"/safeguarding/{flag.id}").text
    assert "What they wrote" in page and "What they texted" not in page and DISCLOSURE in page


def test_the_other_box_beside_another_choice_is_flagged(app, started):
    response = started.post(
        f"{BASE}/q/Q2", data={"action": "answer", "choice": "5", "other": "he hits me every night"}
    )
    assert response.status_code == 302
    [flag] = _flags(app)
    assert flag.said == "he hits me every night"
    with app.app_context():
        answer = db.session.get(Answer, flag.answer_id)
        assert answer.value == {"choice": "5"}, "the answer keeps what they chose"


@pytest.mark.parametrize(
    ("code", "data"),
    [
        ("Q7", {"action": "answer", "text": DISCLOSURE + ". " + "a" * 2000}),
        ("Q1", {"action": "answer", "day": "kill me", "month": "1", "year": "2007"}),
        ("Q2", {"action": "answer", "other": DISCLOSURE}),
    ],
    ids=["too long", "words in the date of birth", "other without a choice"],
)
def test_an_answer_refused_as_invalid_is_still_screened_and_the_page_shows_help(
    app, started, code, data
):
    page = started.post(f"{BASE}/q/{code}", data=data)
    assert page.status_code == 400, "the error is shown, to answer again"
    assert "116 123" in page.text, "with the help numbers on the same page"
    [flag] = _flags(app)
    assert "kill" in flag.said
    again = started.post(f"{BASE}/q/{code}", data=data)
    assert again.status_code == 400 and len(_flags(app)) == 1, "one flag, however often sent"


def test_an_everyday_refused_answer_raises_no_flag(app, started):
    page = started.post(f"{BASE}/q/Q1", data={"action": "answer", "day": "March", "year": "07"})
    assert page.status_code == 400 and "116 123" not in page.text
    assert _flags(app) == []


def test_words_posted_to_a_round_that_closed_meanwhile_are_flagged(app, started, round_id):
    with app.app_context():
        close_round(db.session.get(SurveyRound, round_id))
    response = started.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
    assert "/help" in response.headers["Location"]
    assert "116 123" in started.get(response.headers["Location"]).text
    [flag] = _flags(app)
    assert flag.answer_id is None and flag.round_id == round_id and flag.said == DISCLOSURE
    with app.app_context():
        flag = db.session.get(SafeguardingFlag, flag.id)
        assert flag.origin == "closed" and flag.where.startswith("Sent as the survey closed")


def test_an_answer_written_again_after_the_lead_closed_its_flag_opens_it_again(app, started):
    started.post(f"{BASE}/q/Q12", data={"action": "answer", "text": "he hits me when he's drunk"})
    [flag] = _flags(app)
    with app.app_context():
        db.session.get(SafeguardingFlag, flag.id).status = FlagStatus.NO_CONCERN.value
        db.session.commit()
    started.post(f"{BASE}/q/Q12?change=1", data={"action": "answer", "text": DISCLOSURE})
    [flag] = _flags(app)
    assert flag.status == FlagStatus.NEW and "self_harm_suicide" in flag.categories
