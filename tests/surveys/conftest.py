"""Fixtures for survey tests: the built-in questionnaire in an open round."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.extensions import db
from surveys.services import (
    BUILT_IN,
    RoundDetails,
    create_round,
    load_questionnaire_file,
    open_round,
)

SLUG = "test26"


def make_open_round(app, slug: str = SLUG, edition: str = BUILT_IN, **details) -> int:
    with app.app_context():
        questionnaire = load_questionnaire_file(edition)
        today = date.today()
        survey_round = create_round(
            RoundDetails(
                name=details.pop("name", "Test round"),
                questionnaire_id=questionnaire.id,
                opens_on=details.pop("opens_on", today - timedelta(days=1)),
                closes_on=details.pop("closes_on", today + timedelta(days=30)),
                **details,
            ),
            slug=slug,
        )
        open_round(survey_round)
        db.session.commit()
        return survey_round.id


@pytest.fixture
def round_id(app) -> int:
    return make_open_round(app)
