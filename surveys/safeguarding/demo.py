"""Demo safeguarding data: the screening list, and three fictional flags for the lead to review
(two on survey answers, one on a text sent outside a survey)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.safeguarding.models import SafeguardingFlag
from surveys.safeguarding.services import flag_words, screen_answer, seed_rules

# Invented answers, written to show the lead what a flag looks like.
DEMO_DISCLOSURES = [
    "My flatmate kicked me out and I've got nowhere to sleep tonight.",
    "Some days I just want to end it all. I don't tell my PA.",
]
# An invented first text to the survey number from someone in no survey.
DEMO_TEXT_OUTSIDE = "hi is this the leaving care people. my boyfriend hits me"


def seed_safeguarding_demo(slug: str = "nb2026") -> None:
    seed_rules()
    db.session.commit()
    survey_round = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == slug))
    if survey_round is None or db.session.scalar(sa.select(sa.func.count(SafeguardingFlag.id))):
        return
    question = db.session.scalar(
        sa.select(Question).where(
            Question.questionnaire_id == survey_round.questionnaire_id, Question.code == "Q12"
        )
    )
    if question is None:  # a questionnaire without the free-text question gets no demo flags
        return
    responses = db.session.scalars(
        sa.select(Response)
        .where(Response.round_id == survey_round.id, Response.status == "complete")
        .order_by(Response.channel, Response.id)  # responses keep no date; keys are random
        .limit(2)
    )
    for response, text in zip(responses, DEMO_DISCLOSURES, strict=False):
        answer = db.session.scalar(
            sa.select(Answer).where(
                Answer.response_id == response.id, Answer.question_id == question.id
            )
        )
        if answer is None:
            answer = Answer(response=response, question=question)
            db.session.add(answer)
        answer.skipped, answer.value = False, {"text": text}
        db.session.flush()
        screen_answer(answer, [text])
    flag_words([DEMO_TEXT_OUTSIDE], None)
    db.session.commit()
