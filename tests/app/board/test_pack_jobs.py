"""Board packs through the job runner: a real consumer killed mid-pack finishes it after a
restart, progress shows throughout, a pack that keeps failing is retried then shown as failed,
and two requests make one job."""

from __future__ import annotations

import signal

import pytest
import sqlalchemy as sa

from app.board import pack
from app.board.models import BoardPack
from app.core import jobs
from app.core.extensions import db
from app.staff.auth.models import Role
from tests.app.board.conftest import make_round
from tests.consumer import start_consumer, stop, wait_for


def _pack_row(app, pack_id: int) -> BoardPack:
    with app.app_context():
        row = db.session.get(BoardPack, pack_id)
        db.session.expunge(row)
        return row


@pytest.fixture
def staff(app, logged_in_as, job_queue):
    return logged_in_as(Role.PARTICIPATION_WORKER)


def _request(client, round_id: int) -> tuple[str, int]:
    response = client.post("/board/packs", data={"round_id": round_id, "band": ""})
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, int(location.rsplit("/", 1)[1])


def test_a_consumer_killed_mid_pack_finishes_it_after_a_restart(app, staff, database_uri, tmp_path):
    round_id = make_round(app, {"web": 30, "sms": 12})
    hold = tmp_path / "hold-the-pack"
    hold.touch()  # the pack waits at "Making the PDF" while this file exists
    status_url, pack_id = _request(staff, round_id)
    assert "0% done: Waiting to start" in staff.get(status_url).text

    env = {"BOARD_PACK_HOLD_FILE": str(hold)}
    first = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path, **env)
    try:
        wait_for(
            lambda: "60% done: Making the PDF" in staff.get(status_url).text,
            "the pack to be half made",
            process=first,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        stop(first)
    assert first.returncode == -signal.SIGKILL
    page = staff.get(status_url).text
    assert "60% done: Making the PDF" in page and 'hx-trigger="every 2s"' in page

    hold.unlink()
    second = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path)
    try:
        wait_for(
            lambda: "The pack is ready" in staff.get(status_url).text,
            "the pack to be finished by the restarted consumer",
            process=second,
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        stop(second)
    row = _pack_row(app, pack_id)
    assert row.status == "done" and row.attempts == 2 and row.job_key is None
    pdf = staff.get(f"/board/packs/{pack_id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_sigterm_lets_the_running_pack_finish_then_stops_cleanly(
    app, staff, database_uri, tmp_path
):
    round_id = make_round(app, {"web": 20})
    hold = tmp_path / "hold-the-pack"
    hold.touch()
    status_url, pack_id = _request(staff, round_id)
    consumer = start_consumer(
        database_uri, app.config["HUEY_URL"], tmp_path, BOARD_PACK_HOLD_FILE=str(hold)
    )
    try:
        wait_for(
            lambda: "60% done" in staff.get(status_url).text, "the pack to start", process=consumer
        )
        consumer.send_signal(signal.SIGTERM)
        hold.unlink()  # the job in hand goes on to the end before the consumer exits
        assert consumer.wait(timeout=90) == 0
    finally:
        stop(consumer)
    log = consumer.log_path.read_text()
    assert "Shutting down gracefully" in log and "All workers have stopped" in log
    assert _pack_row(app, pack_id).status == "done"


def test_a_failing_pack_is_retried_then_shown_as_failed(app, staff, job_queue, monkeypatch):
    round_id = make_round(app, {"web": 20})

    def no_pdf(html):  # WeasyPrint failing, as it does when the disk is full
        raise OSError("No space left on device")

    monkeypatch.setattr(pack, "html_to_pdf", no_pdf)
    status_url, pack_id = _request(staff, round_id)
    assert job_queue() == 1  # the first try fails; Huey schedules a retry for later
    page = staff.get(status_url).text
    assert "Trying again" in page and "could not be made" not in page
    assert job_queue(retries=True) == 2  # the two retries, with their backoff skipped
    page = staff.get(status_url).text
    assert "Sorry, the pack could not be made: try again." in page
    assert "every 2s" not in page, "a failed pack is never left running"
    row = _pack_row(app, pack_id)
    assert row.status == "failed" and row.attempts == 3 and row.job_key is None
    monkeypatch.undo()
    _, again = _request(staff, round_id)  # trying again makes a new pack
    assert again != pack_id and job_queue() == 1
    assert _pack_row(app, again).status == "done"


def test_two_requests_make_one_job(app, staff, job_queue):
    round_id = make_round(app, {"web": 20})
    first, pack_id = _request(staff, round_id)
    second, same = _request(staff, round_id)
    assert first == second and same == pack_id
    assert jobs.huey.pending_count() == 1
    assert job_queue() == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BoardPack.id))) == 1
    assert _pack_row(app, pack_id).status == "done"
