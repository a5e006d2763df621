"""The round's personal well-being (ONS4) results for staff: the board's protected figures.

Served here, not by the round pages (surveys.rounds), because the figures are the board's
snapshot (app.board.wellbeing, the layer above); the round page links to it when the round
includes the module. Same section, chart and bands the board sees, so staff and the board never
see two versions of a well-being figure.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.board import services as board
from app.board import wellbeing
from app.core.extensions import db
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.models import SurveyRound

bp = Blueprint("wellbeing_results", __name__)


@bp.get("/staff/rounds/<int:round_id>/wellbeing")
@allow(Role.ADMIN, Role.PARTICIPATION_WORKER)
def round_wellbeing(round_id: int):
    survey_round = db.session.get(SurveyRound, round_id)
    if survey_round is None or not survey_round.includes_wellbeing:
        abort(404)
    as_at = board.analyse(survey_round).as_at  # moves the snapshot first if it is due
    return render_template(
        "board/wellbeing_round.html",
        survey_round=survey_round,
        section=wellbeing.section(survey_round, None, as_at),
        as_at=as_at,
    )
