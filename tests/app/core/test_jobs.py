"""The job runner: configured from config.py, tasks run in the app, jobs wait for the commit,
and a real consumer stops cleanly on SIGTERM."""

from __future__ import annotations

import signal

import pytest
from flask import current_app
from huey.storage import RedisStorage, SqliteStorage

from app.core import jobs
from app.core.extensions import db
from app.staff.authority.services import get_settings
from tests.consumer import start_consumer, stop, wait_for

seen: list[str] = []


@jobs.task()
def remember_authority() -> None:
    seen.append(f"{current_app.name}:{get_settings().service_name}")


def test_the_queue_is_chosen_by_huey_url(tmp_path):
    sqlite = jobs.storage_for(f"sqlite:///{tmp_path / 'q' / 'jobs.db'}")
    assert isinstance(sqlite, SqliteStorage) and (tmp_path / "q" / "jobs.db").exists()
    assert isinstance(jobs.storage_for("redis://127.0.0.1:6399/0"), RedisStorage)
    with pytest.raises(ValueError, match="HUEY_URL"):
        jobs.storage_for("amqp://elsewhere")


def test_tests_run_jobs_at_once_and_tasks_get_the_app(app):
    assert jobs.huey.immediate
    seen.clear()
    with app.app_context():
        remember_authority()
    assert len(seen) == 1 and seen[0] == "app.factory:Belonging"


def test_a_job_waits_for_the_commit_and_is_dropped_on_rollback(app, job_queue):
    with app.app_context():
        jobs.enqueue_after_commit(remember_authority)
        assert jobs.huey.pending_count() == 0, "queued before the data was saved"
        db.session.rollback()
        assert jobs.huey.pending_count() == 0
        jobs.enqueue_after_commit(remember_authority)
        db.session.commit()
        assert jobs.huey.pending_count() == 1
    seen.clear()
    assert job_queue() == 1 and len(seen) == 1


def test_sigterm_stops_an_idle_consumer_cleanly(app, job_queue, database_uri, tmp_path):
    consumer = start_consumer(database_uri, app.config["HUEY_URL"], tmp_path)
    try:
        wait_for(
            lambda: "ready for jobs" in consumer.log_path.read_text().lower(),
            "the consumer to start",
            process=consumer,
        )
        consumer.send_signal(signal.SIGTERM)
        code = consumer.wait(timeout=60)
    finally:
        stop(consumer)
    log = consumer.log_path.read_text()
    assert code == 0, log
    assert "Received SIGTERM" in log and "Consumer exiting" in log


def test_the_worker_command_refuses_immediate_mode(runner):
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code != 0 and "HUEY_IMMEDIATE" in result.output


def test_the_consumer_vacuums_left_over_links_every_minute(app):
    """The scheduler runs ``scrub_left_behind`` at every minute of the day (what it leaves is
    tested in tests/surveys/test_anonymity_attacks.py, on PostgreSQL); the tables it looks at
    are the links' own."""
    from datetime import datetime, timedelta

    (task,) = [t for t in jobs.huey._registry.periodic_tasks if t.name == "scrub_left_behind"]
    start = datetime(2026, 12, 4)
    assert all(task.validate_datetime(start + timedelta(minutes=m)) for m in range(24 * 60))
    with app.app_context():
        scrubbed = {t.name for t in db.metadata.tables.values() if t.info.get("scrubbed")}
    assert scrubbed >= {"sms_conversation", "sms_inbound_message", "pending_sign_up"}, scrubbed
    assert "survey_response" not in scrubbed and "answer" not in scrubbed
