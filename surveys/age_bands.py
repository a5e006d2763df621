"""Age bands of respondents, from their own answer to the date-of-birth question.

One rule for every page that groups responses by age (themes results, the board, the
response-rate dashboard). The date of birth becomes an age when answered (the date is not
stored); a response that skipped it, or whose age is outside 16 to 25, is "Not known".
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer, Question, Response, SurveyRound

AGE_BANDS = [("16 to 17", 16, 17), ("18 to 20", 18, 20), ("21 to 25", 21, 25)]
UNKNOWN = "Not known"


def age_band(age: int | None) -> str:
    for label, low, high in AGE_BANDS:
        if age is not None and low <= age <= high:
            return label
    return UNKNOWN


def complete_by_age_band(survey_round: SurveyRound) -> dict[str, int]:
    """Completed responses to the round in each band (every band listed, Not known last)."""
    ids = list(
        db.session.scalars(
            sa.select(Response.id).where(
                Response.round_id == survey_round.id, Response.status == "complete"
            )
        )
    )
    ages = dict(
        db.session.execute(
            sa.select(Answer.response_id, Answer.value)
            .join(Response, Answer.response_id == Response.id)
            .join(Question, Answer.question_id == Question.id)
            .where(
                Response.round_id == survey_round.id,
                Response.status == "complete",
                Question.kind == "date_of_birth",
                Answer.skipped.is_(False),
            )
        )
        .tuples()
        .all()
    )
    counts = Counter(age_band((ages.get(i) or {}).get("age")) for i in ids)
    return {label: counts.get(label, 0) for label in [*(b for b, _, _ in AGE_BANDS), UNKNOWN]}
