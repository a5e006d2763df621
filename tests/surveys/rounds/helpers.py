"""A small, known survey round for the round page, table and export tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.core.extensions import db
from surveys.models import Answer, Response, SurveyRound
from surveys.services import RoundDetails, create_round, load_questionnaire_file, open_round
from tests.conftest import FROZEN_AT

TODAY = FROZEN_AT.date()  # the frozen clock's day, never the wall clock's


def make_round(cohort_size: int | None = 10, **fields) -> SurveyRound:
    """An open round of the built-in questionnaire (call inside an app context)."""
    questionnaire = load_questionnaire_file()
    details = RoundDetails(
        name=fields.pop("name", "Test round"),
        questionnaire_id=questionnaire.id,
        opens_on=TODAY - timedelta(days=10),
        closes_on=TODAY + timedelta(days=10),
        target_rate=fields.pop("target_rate", 30),
        cohort_size=cohort_size,
        channels=tuple(fields.pop("channels", ("web", "sms", "paper"))),
    )
    return open_round(create_round(details, **fields))


def add_response(
    survey_round: SurveyRound,
    channel: str = "web",
    answers: dict[str, Any] | None = None,
    *,
    complete: bool = True,
) -> int:
    """A response with ``answers`` by question code (a value dict, or None for skipped)."""
    questions = {q.code: q for q in survey_round.questionnaire.questions}
    response = Response(
        round=survey_round,
        channel=channel,
        status="complete" if complete else "in_progress",
    )
    for code, value in (answers or {}).items():
        response.answers.append(
            Answer(question=questions[code], skipped=value is None, value=value)
        )
    db.session.add(response)
    db.session.commit()
    return response.id
