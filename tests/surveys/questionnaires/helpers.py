"""Shared set-up for the questionnaire editor tests."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.extensions import db
from surveys.models import Questionnaire
from surveys.services import RoundDetails, create_round, load_questionnaire_file, open_round


def built_in_id(app) -> int:
    with app.app_context():
        return load_questionnaire_file().id


def lock(app, questionnaire_id: int) -> None:
    """Open a round with the version, which locks it."""
    with app.app_context():
        today = date.today()
        survey_round = create_round(
            RoundDetails(
                name="Spring round",
                questionnaire_id=questionnaire_id,
                opens_on=today,
                closes_on=today + timedelta(days=30),
            )
        )
        open_round(survey_round)


def codes(app, questionnaire_id: int) -> list[str]:
    with app.app_context():
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        return [q.code for q in questionnaire.questions]


def positions(app, questionnaire_id: int) -> list[int]:
    with app.app_context():
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        return [q.position for q in questionnaire.questions]
