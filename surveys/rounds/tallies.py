"""Responses over time without a date on any response: one count per round per day.

A response carries no date (ARCHITECTURE.md, threat model: a per-response date beside an
invitation's sent or reminded date narrows a named person to a handful of responses). The
charts of responses over time need only how many were complete by the end of each day, so a
daily job (surveys/rounds/tasks.py) writes that count into RoundTally, outside every
respondent's transaction. Today's figure is the live count, which the dashboards show anyway.

A day the job missed takes the next tally's increase (the chart shows the rise a day late).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.clock import today
from app.core.extensions import db
from surveys.models import Response, RoundStatus, RoundTally, SurveyRound


def complete_count(survey_round: SurveyRound) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(
                Response.round_id == survey_round.id, Response.status == "complete"
            )
        )
        or 0
    )


def record_tallies(on: date | None = None) -> int:
    """Write each live round's complete count for the day ``on`` (today by default); return
    how many rounds were tallied. Run once a day; running it again the same day updates it."""
    on = on or today()
    rounds = db.session.scalars(
        sa.select(SurveyRound).where(
            SurveyRound.status != RoundStatus.DRAFT,
            SurveyRound.opens_on <= on,
            # The day after closing too: late paper forms and imports still count.
            SurveyRound.closes_on >= on - timedelta(days=1),
        )
    ).all()
    for survey_round in rounds:
        tally = db.session.scalar(
            sa.select(RoundTally).where(RoundTally.round_id == survey_round.id, RoundTally.on == on)
        )
        if tally is None:
            tally = RoundTally(round_id=survey_round.id, on=on, complete=0)
            db.session.add(tally)
        tally.complete = complete_count(survey_round)
    db.session.commit()
    return len(rounds)


def completed_by_day(survey_round: SurveyRound, on: date | None = None) -> dict[date, int]:
    """How many responses became complete on each day (from the daily tallies; today from the
    live count). Days with none are left out."""
    on = on or today()
    totals = dict(
        db.session.execute(
            sa.select(RoundTally.on, RoundTally.complete)
            .where(RoundTally.round_id == survey_round.id, RoundTally.on < on)
            .order_by(RoundTally.on)
        )
        .tuples()
        .all()
    )
    if survey_round.opens_on <= on:
        totals[on] = complete_count(survey_round)
    per_day, before = {}, 0
    for day in sorted(totals):
        if totals[day] != before:
            per_day[day] = totals[day] - before
        before = totals[day]
    return per_day
