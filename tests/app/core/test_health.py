"""/healthz: the database, the job runner's heartbeat, the oldest due text and the oldest
unfinished board pack, each fresh or stale; 503 when any is stale, and no personal data."""

from __future__ import annotations

import json
import signal
from datetime import timedelta

import time_machine

from app.core import jobs
from app.core.clock import utcnow
from app.core.extensions import db
from app.messaging.services import queue_text
from tests.conftest import build_app
from tests.consumer import start_consumer, stop, wait_for


def test_healthz_goes_503_when_the_worker_has_stopped_for_longer_than_its_heartbeat(
    database_uri, tmp_path
):
    huey_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    app = build_app(database_uri, HUEY_IMMEDIATE=False, HUEY_URL=huey_url)
    client = app.test_client()
    try:
        never = client.get("/healthz")
        assert never.status_code == 503
        assert never.get_json()["jobs"]["status"] == "stale"  # no worker has ever started

        consumer = start_consumer(database_uri, huey_url, tmp_path)
        try:
            # The consumer runs on the real clock: the test's clock follows its beat.
            beat = wait_for(jobs.last_heartbeat, "the worker's first heartbeat", process=consumer)
            wait_for(
                lambda: "ready for jobs" in consumer.log_path.read_text().lower(),
                "the consumer to take signals",
                process=consumer,
            )
            with time_machine.travel(beat + timedelta(seconds=30), tick=False):
                fresh = client.get("/healthz")
                assert fresh.status_code == 200, fresh.get_json()
                assert fresh.get_json()["jobs"] == {
                    "status": "ok",
                    "last_heartbeat_age_seconds": 30,
                    "stale_after_seconds": 180,
                }
            consumer.send_signal(signal.SIGTERM)
            assert consumer.wait(timeout=30) == 0
        finally:
            stop(consumer)
        last = jobs.last_heartbeat()  # it beat at start, and may have beaten again since
        assert last is not None and last >= beat
        beat = last

        with time_machine.travel(beat + timedelta(seconds=179), tick=False):
            assert client.get("/healthz").status_code == 200
        with time_machine.travel(beat + timedelta(seconds=181), tick=False):
            stale = client.get("/healthz")
            assert stale.status_code == 503
            assert stale.get_json()["status"] == "stale"
            assert stale.get_json()["jobs"]["status"] == "stale"
            assert stale.get_json()["jobs"]["last_heartbeat_age_seconds"] == 181
    finally:
        app.config.update(HUEY_IMMEDIATE=True)
        jobs.init_app(app)


def test_a_text_left_waiting_makes_healthz_stale_and_says_nothing_about_it(app, client):
    with app.app_context():
        queue_text("+447700900123", "Hi Sam, your survey link: https://example.org/i/SECRET1")
        db.session.commit()
        queued_at = utcnow()
    with time_machine.travel(queued_at + timedelta(minutes=5), tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(queued_at + timedelta(minutes=16), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["texts"]["status"] == "stale" and body["texts"]["oldest_due_age_seconds"] >= 960
    text = json.dumps(body)
    assert "7700" not in text and "Sam" not in text and "SECRET1" not in text


def test_healthz_is_not_rate_limited(database_uri):
    app = build_app(database_uri, RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert all(client.get("/healthz").status_code == 200 for _ in range(150))
