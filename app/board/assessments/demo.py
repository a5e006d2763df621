"""Fictional self-assessment demo: two Baker and Dixon assessments by Northbridge's staff and
its forum, six months apart, with a critical friend's ratings. Every score and comment is made
up, and the names say so. Idempotent: if any self-assessment exists, nothing is added."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.board.assessments.frameworks import get_framework
from app.board.assessments.models import (
    AssessmentAnswer,
    AssessmentEdit,
    AssessmentRound,
    Respondents,
    SelfAssessment,
)
from app.core import clock
from app.core.extensions import db

# Scores by statement position (1 to 4): staff, then young people, in spring and in autumn.
SPRING = {
    Respondents.STAFF: [3, 2, 3, 2, 2, 3, 2, 2, 2, 3, 3, 2, 2, 2, 3, 2, 2, 3, 2, 1],
    Respondents.YOUNG_PEOPLE: [2, 1, 2, 2, 2, 2, 1, 2, 1, 2, 2, 1, 2, 1, 1, 1, 2, 2, 1, 1],
}
AUTUMN = {
    Respondents.STAFF: [3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 3, 3, 2, 3, 3, 2, 3, 3, 2, 2],
    Respondents.YOUNG_PEOPLE: [3, 2, 2, 2, 2, 3, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 2, 3, 2, 1],
}


def _round(name: str, held_on: date, scores: dict[Respondents, list[int]]) -> AssessmentRound:
    framework = get_framework("baker-dixon")
    assert framework is not None  # shipped with the app
    made = AssessmentRound(framework=framework.key, held_on=held_on, name=name)
    for group, values in scores.items():
        made.assessments.append(
            SelfAssessment(
                respondents=group.value,
                people=6 if group == Respondents.YOUNG_PEOPLE else 4,
                notes="Fictional demo answers.",
                version=1,
                answers=[
                    AssessmentAnswer(
                        statement=statement.key,
                        score=value,
                        evidence={"evidence": "Fictional demo evidence."} if value >= 3 else {},
                    )
                    for statement, value in zip(framework.statements, values, strict=True)
                ],
            )
        )
    made.edits.append(AssessmentEdit(text="Fictional demo assessment added", saved_on=held_on))
    return made


def seed_assessments_demo(on: date | None = None) -> None:
    if db.session.scalar(sa.select(AssessmentRound.id).limit(1)) is not None:
        return
    on = on or clock.today()
    spring = _round("Spring (fictional demo)", on - timedelta(days=200), SPRING)
    spring.friend = "Leaving care manager, a neighbouring council (fictional)"
    spring.rating_now, spring.rating_improving = 4, 5
    spring.comment_now = "Fictional: good intentions, but young people do not yet feel heard."
    spring.comment_improving = "Fictional: the forum is new and already changing things."
    spring.friend_version = 1
    autumn = _round("Autumn (fictional demo)", on - timedelta(days=20), AUTUMN)
    autumn.friend = spring.friend
    autumn.rating_now, autumn.rating_improving = 5, 7
    autumn.comment_now = "Fictional: housing and money advice are better; health is still slow."
    autumn.comment_improving = "Fictional: clear progress since spring, led by the forum's asks."
    autumn.friend_version = 1
    db.session.add_all([spring, autumn])
    db.session.commit()
