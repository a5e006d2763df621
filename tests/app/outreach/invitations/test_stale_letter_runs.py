"""A letters run whose job died (a consumer killed mid-run) is seen as stale and can be started
again; one still moving is not (app/outreach/invitations/letter_runs.py)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.core.clock import utcnow
from app.core.extensions import db
from app.outreach.invitations.letter_runs import LetterRun
from app.staff.auth.models import Role
from tests.app.outreach.invitations.test_letter_runs import LETTERS, cohort  # noqa: F401


def _run_left_running(app, minutes_ago: int) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(LetterRun).values(
                status="running", done=3, progressed_at=utcnow() - timedelta(minutes=minutes_ago)
            )
        )
        db.session.commit()


def test_a_run_whose_job_died_offers_to_start_again(app, cohort, logged_in_as, job_queue):  # noqa: F811
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    base = f"/staff/rounds/{cohort}/invitations"
    progress_url = client.post(f"{base}/letters/runs", data={"which": "waiting"}).location
    _run_left_running(app, minutes_ago=2)  # still moving: keep waiting
    moving = client.get(progress_url).get_data(as_text=True)
    assert f"3 of {LETTERS} letters made" in moving and "Start again" not in moving
    assert 'http-equiv="refresh"' in moving

    _run_left_running(app, minutes_ago=11)  # nothing for over LETTERS_STALE_MINUTES (10)
    stale = client.get(progress_url).get_data(as_text=True)
    assert "nothing has happened for over 10 minutes" in stale
    assert "Start again" in stale
    assert "http-equiv" not in stale and "hx-trigger" not in stale  # no more waiting

    again = client.post(f"{base}/letters/runs", data={"which": "waiting"})
    assert again.status_code == 302 and again.location != progress_url
    assert job_queue() == 2  # the dead run's job (run again: it starts afresh) and the new one
    ready = client.get(again.location).get_data(as_text=True)
    assert f"The PDF of {LETTERS} letters is ready" in ready
