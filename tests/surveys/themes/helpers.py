"""Helpers for theme tests: a round with complete responses holding the given free text."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db, random_key
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.themes import services
from tests.surveys.conftest import make_open_round


def round_with_answers(
    app,
    texts: list[str],
    *,
    slug: str = "test26",
    code: str = "Q12",
    channel: str = "web",
    age: int | None = None,
) -> int:
    """An open round whose complete responses each answer ``code`` with one of ``texts``."""
    round_id = make_open_round(app, slug=slug)
    with app.app_context():
        add_answers(round_id, texts, code=code, channel=channel, age=age)
        services.create_codebook(db.session.get(SurveyRound, round_id))
    return round_id


def add_answers(round_id: int, texts, *, code: str = "Q12", channel: str = "web", age=None):
    """Answers get keys that rise in the order of ``texts``, so the coding queue (key order,
    which is random in real use) meets them in that order and tests can say what comes next."""
    survey_round = db.session.get(SurveyRound, round_id)
    questions = {q.code: q for q in survey_round.questionnaire.questions}
    keys = iter(range(random_key() >> 8, 2**53))
    for text in texts:
        response = Response(round=survey_round, channel=channel, status="complete")
        value = {"items": [text]} if questions[code].kind == "short_items" else {"text": text}
        response.answers.append(Answer(id=next(keys), question=questions[code], value=value))
        if age is not None:
            response.answers.append(
                Answer(id=next(keys), question=questions["Q1"], value={"age": age})
            )
        db.session.add(response)
    db.session.commit()


def answer_ids(app, round_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Answer.id)
                .join(Response)
                .join(Question)
                .where(Response.round_id == round_id, Question.kind != "date_of_birth")
                .order_by(Answer.id)
            )
        )


def theme_id(app, round_id: int, key: str) -> int:
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        codebook = services.codebook_for(survey_round)
        return next(t.id for t in codebook.themes if t.key == key)
