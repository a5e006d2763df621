"""What the personal side does when the anonymous side says someone finished (surveys.completion).

An invited person who finishes has their invitation marked completed, so their reminders stop.
"""

from __future__ import annotations

from flask import Flask

from app.core.extensions import db
from app.outreach.invitations.services import complete_by_phone_hash, complete_from_session
from surveys import completion
from surveys.models import SurveyRound


def on_finished(finished: completion.Finished) -> None:
    if finished.phone_hash is not None:
        complete_by_phone_hash(finished.round_id, finished.phone_hash)
        return
    survey_round = db.session.get(SurveyRound, finished.round_id)
    if survey_round is not None:
        complete_from_session(survey_round)


def init_app(app: Flask) -> None:
    completion.listen(on_finished)
