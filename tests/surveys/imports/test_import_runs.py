"""Response imports as a job (surveys/imports/services.py ``run_import``): the preview page
queues the import and shows its progress; a double click imports the file once; a job that
loses the run to a second job stops, and a consumer killed part-way is followed by one that
finishes the file: every row is stored exactly once, whatever happened on the way."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.imports import services as imports
from surveys.imports import tasks
from surveys.imports.models import ImportRun
from surveys.models import Answer, Question, Response
from tests.consumer import second_job_midway, start_consumer, stop, wait_for
from tests.surveys.rounds.helpers import make_round


def _file(rows: int) -> bytes:
    """A file whose every row says something of its own (Q7), so a row stored twice shows."""
    lines = ["Q1,Q3,Q7"] + [f"{16 + i % 9},Female,Advice number {i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _round_and_upload(app, rows: int) -> tuple[int, int]:
    with app.app_context():
        survey_round = make_round(name="Imported answers")
        upload = imports.start_upload(survey_round, "answers.csv", _file(rows))
        return survey_round.id, upload.id


def _advice_stored(app, round_id: int) -> Counter[str]:
    """How many times each row's own words are in the round."""
    with app.app_context():
        values = db.session.scalars(
            sa.select(Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .join(Question, Question.id == Answer.question_id)
            .where(Response.round_id == round_id, Question.code == "Q7")
        )
        stored = Counter(value["text"] for value in values)
        db.session.remove()
        return stored


def _run(app, run_id: int) -> ImportRun:
    with app.app_context():
        run = db.session.get_one(ImportRun, run_id)
        db.session.expunge(run)
        return run


def test_the_preview_queues_the_import_and_its_page_shows_how_it_went(app, logged_in_as, job_queue):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_id, upload_id = _round_and_upload(app, 12)
    preview_url = f"/staff/imports/{upload_id}/preview"
    first = client.post(preview_url, data={"mode": "all"})
    again = client.post(preview_url, data={"mode": "all"})  # a double click
    assert first.status_code == again.status_code == 302
    assert first.location == again.location  # one run, not two
    waiting = client.get(first.location).get_data(as_text=True)
    assert "waiting for the background worker" in waiting and "0 of 12 rows saved" in waiting
    assert 'http-equiv="refresh"' in waiting and 'hx-trigger="every 2s"' in waiting
    discard = client.post(f"/staff/imports/{upload_id}/discard", follow_redirects=True)
    assert "being imported, so it cannot be cancelled" in discard.get_data(as_text=True)

    assert job_queue() == 1
    done = client.get(first.location).get_data(as_text=True)
    assert "Imported 12 responses into Imported answers" in done
    assert "http-equiv" not in done and "hx-trigger" not in done  # nothing more to wait for
    assert _advice_stored(app, round_id) == Counter(f"Advice number {i}" for i in range(12))
    assert client.get(preview_url).status_code == 404  # the upload's rows are gone


def test_two_clicks_at_the_same_moment_begin_one_import(app, logged_in_as, job_queue, monkeypatch):
    """The race a double click can win: the second click's whole request runs between the
    first's look for a run of the round (none yet) and its write of one. The database keeps
    one unfinished run per round, so the first click takes the second's run as its own: one
    run, one job, each row once. (Before, both wrote a run, and both jobs imported the file.)"""
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_id, upload_id = _round_and_upload(app, 6)
    preview_url = f"/staff/imports/{upload_id}/preview"
    look = imports._unfinished_run

    def look_then_the_other_click(wanted_round: int):
        found = look(wanted_round)
        monkeypatch.setattr(imports, "_unfinished_run", look)  # the other click looks plainly
        other = threading.Thread(target=lambda: client.post(preview_url, data={"mode": "all"}))
        other.start()  # its own thread: its own application context and session
        other.join()
        return found

    monkeypatch.setattr(imports, "_unfinished_run", look_then_the_other_click)
    first = client.post(preview_url, data={"mode": "all"})
    assert first.status_code == 302
    with app.app_context():
        runs = list(
            db.session.scalars(sa.select(ImportRun.id).where(ImportRun.round_id == round_id))
        )
    assert len(runs) == 1 and first.location.endswith(f"/{runs[0]}")
    assert job_queue() == 1
    assert _advice_stored(app, round_id) == Counter(f"Advice number {i}" for i in range(6))


def test_a_refused_file_says_why_and_keeps_the_upload_to_check_again(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = make_round()
        body = b"Q1,Q3\n19,Female\nabc,Female\n"
        upload_id = imports.start_upload(survey_round, "mixed.csv", body).id
    preview_url = f"/staff/imports/{upload_id}/preview"
    refused = client.post(preview_url, data={"mode": "all"}, follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "Nothing was imported" in page and "1 row has problems" in page
    assert f'href="{preview_url}"' in page  # "Check the file again"
    valid = client.post(preview_url, data={"mode": "valid"}, follow_redirects=True)
    page = valid.get_data(as_text=True)
    assert "Imported 1 responses into" in page and "1 rows with problems were left out" in page


def test_a_job_that_loses_the_run_to_another_stops_and_no_row_goes_in_twice(app):
    """Two jobs for one run at once (Huey retried it, or a consumer restarted while the first
    was only slow): the second takes the run over part-way; the first must stop at its next
    batch. If the first went on, the rows after the takeover would be stored twice."""
    app.config.update(IMPORT_BATCH_ROWS=10, IMPORT_BATCH_PAUSE_SECONDS=0.05)
    rows = 300
    round_id, upload_id = _round_and_upload(app, rows)
    with app.app_context():
        run_id = imports.begin_import(imports.get_upload(upload_id), valid_only=False)[0].id
        db.session.commit()

    def job() -> None:
        with app.app_context():
            imports.run_import(run_id)

    # The second job starts at the first one's third batch, while the first is still saving.
    second_job_midway(job, job, lambda: _run(app, run_id).rows_done >= 30)
    run = _run(app, run_id)
    assert run.attempt == 2 and run.state == "done"
    assert run.imported == rows and run.rows_done == rows and run.rows_total == rows
    assert run.message == "Imported 300 responses into Imported answers"  # none "already there"
    assert _advice_stored(app, round_id) == Counter(f"Advice number {i}" for i in range(rows))


def test_a_consumer_killed_mid_import_is_followed_by_one_that_finishes_it(
    app, logged_in_as, job_queue, database_uri, tmp_path
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    rows = 400
    round_id, upload_id = _round_and_upload(app, rows)
    run_url = client.post(f"/staff/imports/{upload_id}/preview", data={"mode": "all"}).location
    run_id = int(run_url.rsplit("/", 1)[1])
    slow = {"IMPORT_BATCH_ROWS": "20", "IMPORT_BATCH_PAUSE_SECONDS": "0.3"}
    first = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path, **slow)
    try:
        wait_for(lambda: _run(app, run_id).rows_done >= 60, "some batches", process=first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        stop(first)
    assert first.returncode == -signal.SIGKILL
    half = _run(app, run_id)
    assert half.state == "importing" and 60 <= half.rows_done < rows
    assert f"{half.rows_done} of {rows} rows saved" in client.get(run_url).get_data(as_text=True)

    # The next consumer takes up the run when it starts (its queue no longer holds the job:
    # Huey took it off before the kill).
    second = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path)
    try:
        wait_for(lambda: _run(app, run_id).state == "done", "the import to finish", process=second)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
        stop(second)
    assert "Imported 400 responses" in client.get(run_url).get_data(as_text=True)
    assert _advice_stored(app, round_id) == Counter(f"Advice number {i}" for i in range(rows))


def test_a_run_with_no_progress_is_taken_up_again_and_one_moving_is_not(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_id, upload_id = _round_and_upload(app, 5)
    with app.app_context():
        run_id = imports.begin_import(imports.get_upload(upload_id), valid_only=False)[0].id
        db.session.commit()

    def left_importing(minutes_ago: int) -> None:
        with app.app_context():
            db.session.execute(
                sa.update(ImportRun).values(
                    state="importing",
                    attempt=1,
                    progressed_at=utcnow() - timedelta(minutes=minutes_ago),
                )
            )
            db.session.commit()

    left_importing(minutes_ago=2)  # still moving, as far as anyone can tell
    with app.app_context():
        assert imports.runs_to_resume() == []
        assert imports.runs_to_resume(at_start=True) == [run_id]  # its consumer is gone
    assert "has not moved" not in client.get(f"/staff/imports/runs/{run_id}").text

    left_importing(minutes_ago=11)  # nothing for over IMPORT_STALE_MINUTES (10)
    assert "has not moved for 10 minutes" in client.get(f"/staff/imports/runs/{run_id}").text
    with app.app_context():
        assert imports.runs_to_resume() == [run_id]
        assert tasks.resume_imports() == 1  # the job runs at once here (immediate mode)
    assert _run(app, run_id).state == "done"
    assert sum(_advice_stored(app, round_id).values()) == 5
