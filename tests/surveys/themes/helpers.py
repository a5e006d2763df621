"""Helpers for theme tests: a round with complete responses holding the given free text."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db, random_key
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.themes import services
from surveys.themes.models import Coding, coding_theme
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


def coded_round(app, size: int, *, slug: str = "coded26") -> int:
    """A round of ``size`` complete responses answering Q12, every answer coded (first pass)
    with two themes of the starter codebook, written in bulk so that big rounds are quick to
    make (exports at two sizes, the memory benchmark)."""
    texts = [f"Answer {n}: not enough money for food, and my PA texts back" for n in range(size)]
    round_id = round_with_answers(app, texts, slug=slug)
    with app.app_context():
        codebook = services.codebook_for(db.session.get(SurveyRound, round_id))
        themes = [t.id for t in services.themes_in_order(codebook)]
        first = (db.session.scalar(sa.select(sa.func.max(Coding.id))) or 0) + 1
        codings, ticks = [], []
        for n, answer_id in enumerate(answer_ids(app, round_id)):
            coding_id = first + n
            codings.append(
                {
                    "id": coding_id,
                    "round_id": round_id,
                    "answer_id": answer_id,
                    "part": 0,
                    "pass_no": 1,
                    "sentiment": ["negative", "positive", None][n % 3],
                    "notable": n % 7 == 0,
                }
            )
            ticks += [
                {"coding_id": coding_id, "theme_id": themes[n % len(themes)]},
                {"coding_id": coding_id, "theme_id": themes[(n + 1) % len(themes)]},
            ]
        db.session.execute(sa.insert(Coding), codings)
        db.session.execute(sa.insert(coding_theme), ticks)
        db.session.commit()
    return round_id
