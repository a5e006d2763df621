"""Fixtures for the board: rounds with exactly the responses a test needs, and the demo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.extensions import db
from surveys.models import Answer, Response, RoundStatus, SurveyRound
from surveys.services import load_questionnaire_file


def make_round(
    app,
    channels: dict[str, int],
    *,
    slug: str = "board26",
    name: str = "Board test round 2026",
    ages: list[int] | None = None,
    answers: dict[str, dict] | None = None,
    opens_days_ago: int = 30,
    cohort: int | None = 200,
) -> int:
    """A closed round whose complete responses come by ``channels`` ({"web": 40, ...}).

    ``ages`` cycles over the responses (Q1); ``answers`` gives every response the same value
    for other question codes (e.g. {"Q11": {"choice": "yes"}}); other questions are skipped.
    """
    with app.app_context():
        questionnaire = load_questionnaire_file()
        questionnaire.status = "locked"
        questions = {q.code: q for q in questionnaire.questions}
        opens = date.today() - timedelta(days=opens_days_ago)
        survey_round = SurveyRound(
            name=name,
            slug=slug,
            questionnaire=questionnaire,
            opens_on=opens,
            closes_on=opens + timedelta(days=20),
            status=RoundStatus.CLOSED.value,
            target_rate=30,
            cohort_size=cohort,
            channels=["web", "sms", "paper", "phone"],
        )
        db.session.add(survey_round)
        ages = ages or [19]
        n = 0
        for channel, count in channels.items():
            for _ in range(count):
                response = Response(
                    round=survey_round,
                    channel=channel,
                    status="complete",
                )
                response.answers.append(
                    Answer(question=questions["Q1"], value={"age": ages[n % len(ages)]})
                )
                for code, value in (answers or {}).items():
                    response.answers.append(Answer(question=questions[code], value=value))
                db.session.add(response)
                n += 1
        db.session.commit()
        return survey_round.id


@pytest.fixture
def demo(app):
    """The whole fictional demo (two rounds a year apart, themes, forum, board meetings)."""
    with app.app_context():
        from app.demo import seed_demo

        seed_demo()
    return app


@pytest.fixture(autouse=True)
def chart_cache(app, tmp_path):
    app.config["CHART_CACHE_DIR"] = str(tmp_path / "charts")
