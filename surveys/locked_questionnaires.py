"""Locked questionnaires kept between requests, for the public survey pages.

A questionnaire version is locked the first time a round uses it and never changes after
(``surveys.services.open_round``; edits go into a new draft version), so its questions can be
read once per process and reused by every request, instead of being loaded row by row with the
round on each page (most of a question page's database work). Decisions:
- Only a *locked* version is kept; a draft is read from the database as before.
- The copy is detached (loaded in a session of its own, then closed) and shared read-only by the
  threads of a worker: the pages read it, nothing writes to it. A request's session never holds
  it (``attach`` sets the round's reference without an event, so no cascade adds it; an answer
  names its question by id, surveys/engine.py), so a commit never expires it and no two sessions
  fight over it.
- Kept per application (``app.extensions``), so each app a test builds on its own database has
  its own copy; a worker holds one entry per locked version its rounds use.
- The round itself (status, dates, channels) is read from the database on every request: staff
  change those while a round runs.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.core.extensions import db
from surveys.models import Questionnaire, SurveyRound

_EXTENSION = "surveys.locked_questionnaires"


def _cache() -> dict[int, Questionnaire]:
    return current_app.extensions.setdefault(_EXTENSION, {})


def locked(questionnaire_id: int) -> Questionnaire | None:
    """The locked version ``questionnaire_id`` with its questions, detached; None for a draft."""
    cache = _cache()
    hit = cache.get(questionnaire_id)
    if hit is not None:
        return hit
    # A session of its own: the request's session (or a test's, around the request) may hold
    # the same rows, and must keep its own attached copies.
    with so.Session(db.engine) as session:
        questionnaire = session.scalars(
            sa.select(Questionnaire)
            .where(Questionnaire.id == questionnaire_id)
            .options(so.selectinload(Questionnaire.questions))
        ).one()
        questions = list(questionnaire.questions)
    if not questionnaire.is_locked:
        return None
    for question in questions:
        set_committed_value(question, "questionnaire", questionnaire)
    # Two threads may both load it the first time: either copy is the same, one is kept.
    return cache.setdefault(questionnaire_id, questionnaire)


def attach(survey_round: SurveyRound) -> SurveyRound:
    """Give ``survey_round`` its locked questionnaire (and well-being module) from the cache,
    without a statement; a draft version is left to load from the database when first read."""
    for attribute, questionnaire_id in (
        ("questionnaire", survey_round.questionnaire_id),
        ("wellbeing_module", survey_round.wellbeing_module_id),
    ):
        if questionnaire_id is None:
            continue
        kept = locked(questionnaire_id)
        if kept is not None:
            set_committed_value(survey_round, attribute, kept)
    return survey_round


def forget() -> None:
    """Drop this app's copies (tests that change a locked version behind the product's back)."""
    _cache().clear()
