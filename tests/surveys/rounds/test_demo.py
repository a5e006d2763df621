"""The fictional survey demo: two Northbridge rounds, realistic answers, safe to run twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Response, SurveyRound
from surveys.paper.demo import FORMS as KEYED_FORMS
from surveys.rounds.demo import demo_texts, seed_survey_demo


def _counts() -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        sa.select(SurveyRound.slug, Response.status, sa.func.count(Response.id))
        .join(Response, Response.round_id == SurveyRound.id)
        .group_by(SurveyRound.slug, Response.status)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for slug, status, count in rows:
        counts.setdefault(slug, {})[status] = count
    return counts


def test_the_demo_seed_makes_two_rounds_of_responses_and_is_idempotent(app):
    with app.app_context():
        from app.demo import seed_demo

        seed_demo()
        first = _counts()
        seed_demo()
        seed_survey_demo()
        assert _counts() == first

        current = first["nb2026"]
        assert sum(current.values()) == 120 + len(KEYED_FORMS)  # + the verified keyed forms
        assert 8 <= current["in_progress"] <= 16
        assert first["nb2025"] == {"complete": 80}
        rounds = {r.slug: r for r in db.session.scalars(sa.select(SurveyRound))}
        assert rounds["nb2026"].name == "Northbridge care leavers survey 2026"
        assert rounds["nb2026"].is_open
        assert (rounds["nb2026"].cohort_size, rounds["nb2026"].target_rate) == (400, 30)
        assert rounds["nb2025"].status == "closed"
        assert rounds["nb2026"].questionnaire.is_locked

        responses = list(
            db.session.scalars(sa.select(Response).where(Response.round_id == rounds["nb2026"].id))
        )
        assert {r.channel for r in responses} == {
            "web",
            "sms",
            "paper",
            "phone",
            "face_to_face",
            "group",
        }
        values = {(a.question.code): [] for r in responses for a in r.answers}
        for r in responses:
            for a in r.answers:
                values[a.question.code].append(a.value)
        ages = [v["age"] for v in values["Q1"] if v]
        assert min(ages) >= 16 and max(ages) <= 25
        assert any(v and v.get("other") for v in values["Q2"])
        assert None in values["Q12"]  # some people skip


def test_no_demo_answer_is_a_safeguarding_disclosure():
    screening = pytest.importorskip("surveys.safeguarding.screening")
    rules = screening.load_rules()
    flagged = [text for text in demo_texts() if screening.screen(text, rules).matches]
    assert flagged == []


def test_the_demo_round_page_renders_for_a_worker(app, logged_in_as):
    with app.app_context():
        seed_survey_demo()
        round_id = db.session.scalar(sa.select(SurveyRound.id).where(SurveyRound.slug == "nb2026"))
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.get(f"/staff/rounds/{round_id}")
    assert page.status_code == 200
    assert "Northbridge care leavers survey 2026" in page.text
    assert "http://localhost/s/nb2026" in page.text
