"""A 30,000-row contacts import while young people answer, on SQLite (a file in WAL mode).

The import once held the write lock for its whole transaction, and 8 young people's answers
failed with "database is locked". It now saves IMPORT_BATCH_ROWS rows per transaction
(app/outreach/contacts/importing.py), so a writer waits at most one batch. Batches alone were
not enough: a transaction that read first and then wrote failed at once (SQLITE_BUSY_SNAPSHOT)
when another writer had committed after its read, whatever the busy timeout, so every
transaction that may write now starts with BEGIN IMMEDIATE (app/core/extensions.py).

The file is a real case-management export: every 20th person may not be contacted (saving one
writes their opt-out mid-batch), and the first EXISTING people are already on record and are
updated, not added. The import runs in a worker thread with its own app context (as the job
consumer would) while the main thread posts whole surveys through the real app: no answer
fails, and every answer is stored once.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.outreach.contacts import importing
from app.outreach.contacts.models import Contact, ContactImportReport
from app.staff.auth.models import Role
from surveys.models import Answer, Response
from tests.surveys.conftest import make_open_round
from tests.surveys.web.test_web_survey import ANSWERS, BASE

ROWS = 30_000
EXISTING = 3_000  # already on record before the big import: their rows are updates


def _row(i: int, team: str, do_not_contact: bool) -> str:
    # Every 20th person has a mobile from Ofcom's drama range (opted out when "do not contact").
    mobile = f"07700 900{i // 20:03d}" if i % 20 == 0 and i < 20_000 else ""
    stop = "yes" if do_not_contact and i % 20 == 0 else ""
    return f"Young Person {i},{1 + i % 28:02d}/03/2005,{mobile},NB{i % 9} 2AB,{team},{stop}"


def _file(rows: int, team: str, do_not_contact: bool) -> bytes:
    lines = ["Name,Date of birth,Mobile,Postcode,Team,Do not contact"]
    lines += [_row(i, team, do_not_contact) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _import(filename: str, data: bytes) -> int:
    upload = importing.start_upload(filename, data)
    importing.save_mapping(upload, upload.columns)
    return upload.id


def test_answers_never_fail_while_a_big_import_runs(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        pytest.skip("SQLite's single write lock is what this measures (PostgreSQL locks rows)")
    make_open_round(app)
    with app.app_context():
        first = importing.import_rows(
            importing.get_upload(_import("known.csv", _file(EXISTING, "South", False)))
        )
        assert first.added == EXISTING
        upload_id = _import("big.csv", _file(ROWS, "North", True))
    errors: list[BaseException] = []

    def run_import():
        try:
            with app.app_context():
                importing.import_rows(importing.get_upload(upload_id))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    worker = threading.Thread(target=run_import)
    worker.start()
    failures, surveys, posts = [], 0, 0
    while worker.is_alive() or surveys < 3:
        client = app.test_client()  # a new young person each time
        statuses = [client.post(f"{BASE}/start").status_code]
        for code, data in ANSWERS.items():
            answer = client.post(f"{BASE}/q/{code}", data={"action": "answer", **data})
            statuses.append(answer.status_code)
        statuses.append(client.post(f"{BASE}/check").status_code)
        failures += [s for s in statuses if s >= 400]
        surveys, posts = surveys + 1, posts + len(statuses)
    worker.join()
    print(
        f"\n{ROWS:,} rows ({EXISTING:,} updates, 1 in 20 'do not contact') imported while "
        f"{surveys} surveys ({posts} POSTs) were answered: {len(failures)} failed, "
        f"import errors: {errors}"
    )
    assert errors == [] and failures == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == ROWS
        north = sa.select(sa.func.count(Contact.id)).where(Contact.team == "North")
        assert db.session.scalar(north) == ROWS  # the people already known were updated
        report = db.session.scalars(
            sa.select(ContactImportReport).order_by(ContactImportReport.id.desc())
        ).first()
        assert report is not None
        assert report.finished and (report.rows_done, report.rows_total) == (ROWS, ROWS)
        assert report.summary.startswith(f"{ROWS - EXISTING} added, {EXISTING} updated")
        responses = db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(Response.status == "complete")
        )
        assert responses == surveys
        per_response = db.session.execute(
            sa.select(Answer.response_id, sa.func.count(Answer.id)).group_by(Answer.response_id)
        ).all()
        assert {count for _, count in per_response} == {len(ANSWERS)}  # each stored once


def test_the_report_shows_the_import_job_progress_until_it_is_done(app, logged_in_as, job_queue):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        upload = importing.start_upload("small.csv", b"Name,Postcode\nAmy Test,NB1 2AB\n")
        importing.save_mapping(upload, upload.columns)
        upload_id = upload.id
    started = client.post(f"/staff/contacts/import/{upload_id}/preview", data={})
    assert started.status_code == 302
    waiting = client.get(started.location).get_data(as_text=True)
    assert "0 of 1 rows saved" in waiting
    assert '<meta http-equiv="refresh" content="5">' in waiting and "every 2s" in waiting
    assert job_queue() == 1
    done = client.get(started.location).get_data(as_text=True)
    assert "1 added, 0 updated, 0 unchanged, 0 rows left out" in done
    assert "http-equiv" not in done and "rows saved" not in done
