"""Contacts imports as fenced jobs (app/outreach/contacts/importing.py ``run_import``, the fence
in app/core/batches.py): a double click makes one import; a job that loses the import to a
second job stops; a consumer killed part-way is followed by one that finishes the file. In
every case each person in the file is on record exactly once: two jobs matching the same file
before either saved would add the same people twice."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app.core.clock import utcnow
from app.core.extensions import db
from app.outreach.contacts import importing, tasks
from app.outreach.contacts.models import Contact, ContactImportReport
from app.staff.auth.models import Role
from tests.consumer import second_job_midway, start_consumer, stop, wait_for


def _upload(app, rows: int) -> int:
    """An upload of ``rows`` fictional people, none on record yet (no mobiles: nothing but the
    import itself stops a person being added twice)."""
    lines = ["Name,Date of birth,Postcode,Team"]
    lines += [f"Test Person {i},{1 + i % 28:02d}/03/2005,NB{i % 9} 2AB,North" for i in range(rows)]
    with app.app_context():
        upload = importing.start_upload("people.csv", ("\n".join(lines) + "\n").encode())
        importing.save_mapping(upload, upload.columns)
        return upload.id


def _people(app) -> Counter[str]:
    with app.app_context():
        names = Counter(db.session.scalars(sa.select(Contact.name)))
        db.session.remove()
        return names


def _everyone(rows: int) -> Counter[str]:
    return Counter(f"Test Person {i}" for i in range(rows))


def _report(app, report_id: int) -> ContactImportReport:
    with app.app_context():
        report = db.session.get_one(ContactImportReport, report_id)
        db.session.expunge(report)
        return report


def test_a_double_click_makes_one_import(app, logged_in_as, job_queue):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    upload_id = _upload(app, 8)
    preview_url = f"/staff/contacts/import/{upload_id}/preview"
    first = client.post(preview_url)
    again = client.post(preview_url)
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    discard = client.post(f"/staff/contacts/import/{upload_id}/discard", follow_redirects=True)
    assert "being imported, so it cannot be cancelled" in discard.get_data(as_text=True)
    assert job_queue() == 1
    assert "8 added, 0 updated, 0 unchanged" in client.get(first.location).get_data(as_text=True)
    assert _people(app) == _everyone(8)


def test_two_clicks_at_the_same_moment_make_one_import(app, logged_in_as, job_queue, monkeypatch):
    """The race a double click can win: the second click's whole request runs between the
    first's look for an import of the upload (none yet) and its write of one. The database
    keeps one unfinished import per upload, so the first click takes the second's as its own:
    one import, one job, each person once. (Before, both wrote one, and both jobs ran.)"""
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    upload_id = _upload(app, 5)
    preview_url = f"/staff/contacts/import/{upload_id}/preview"
    look = importing._running_report

    def look_then_the_other_click(wanted_upload: int):
        found = look(wanted_upload)
        monkeypatch.setattr(importing, "_running_report", look)  # the other click looks plainly
        other = threading.Thread(target=lambda: client.post(preview_url))
        other.start()  # its own thread: its own application context and session
        other.join()
        return found

    monkeypatch.setattr(importing, "_running_report", look_then_the_other_click)
    first = client.post(preview_url)
    assert first.status_code == 302
    with app.app_context():
        reports = list(db.session.scalars(sa.select(ContactImportReport.id)))
    assert len(reports) == 1 and first.location.endswith(f"/{reports[0]}")
    assert job_queue() == 1
    assert _people(app) == _everyone(5)


def test_a_job_that_loses_the_import_to_another_stops_and_nobody_is_added_twice(app):
    app.config.update(IMPORT_BATCH_ROWS=10, IMPORT_BATCH_PAUSE_SECONDS=0.05)
    rows = 300
    upload_id = _upload(app, rows)
    with app.app_context():
        report_id = importing.begin_import(importing.get_upload(upload_id))[0].id
        db.session.commit()

    def job() -> None:
        with app.app_context():
            importing.run_import(report_id)

    # The second job starts at the first one's third batch, while the first is still saving.
    second_job_midway(job, job, lambda: _report(app, report_id).rows_done >= 30)
    report = _report(app, report_id)
    assert report.finished and report.attempt == 2 and report.upload_id is None
    assert "taken up again" in report.summary
    assert _people(app) == _everyone(rows)


def test_a_consumer_killed_mid_import_is_followed_by_one_that_finishes_it(
    app, logged_in_as, job_queue, database_uri, tmp_path
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    rows = 400
    upload_id = _upload(app, rows)
    report_url = client.post(f"/staff/contacts/import/{upload_id}/preview").location
    report_id = int(report_url.rsplit("/", 1)[1])
    slow = {"IMPORT_BATCH_ROWS": "20", "IMPORT_BATCH_PAUSE_SECONDS": "0.3"}
    first = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path, **slow)
    try:
        wait_for(lambda: _report(app, report_id).rows_done >= 60, "some batches", process=first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        stop(first)
    assert first.returncode == -signal.SIGKILL
    half = _report(app, report_id)
    assert not half.finished and 60 <= half.rows_done < rows
    assert f"{half.rows_done} of {rows} rows saved" in client.get(report_url).text

    second = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path)
    try:
        wait_for(lambda: _report(app, report_id).finished, "the import to finish", process=second)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
        stop(second)
    assert "rows left out" in client.get(report_url).text
    assert _people(app) == _everyone(rows)


def test_an_import_with_no_progress_is_taken_up_again_and_one_moving_is_not(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    upload_id = _upload(app, 5)
    with app.app_context():
        report_id = importing.begin_import(importing.get_upload(upload_id))[0].id
        db.session.commit()

    def left_running(minutes_ago: int) -> None:
        with app.app_context():
            db.session.execute(
                sa.update(ContactImportReport).values(
                    attempt=1, progressed_at=utcnow() - timedelta(minutes=minutes_ago)
                )
            )
            db.session.commit()

    report_url = f"/staff/contacts/import/reports/{report_id}"
    left_running(minutes_ago=2)
    with app.app_context():
        assert importing.reports_to_resume() == []
        assert importing.reports_to_resume(at_start=True) == [report_id]
    assert "has not moved" not in client.get(report_url).text
    left_running(minutes_ago=11)  # nothing for over IMPORT_STALE_MINUTES (10)
    assert "has not moved for 10 minutes" in client.get(report_url).text
    with app.app_context():
        assert tasks.resume_imports() == 1  # run at once here (immediate mode)
    assert _report(app, report_id).finished
    assert _people(app) == _everyone(5)
