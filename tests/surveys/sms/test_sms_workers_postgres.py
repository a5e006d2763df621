"""Two workers on PostgreSQL drain 10,000 texts to a fake Twilio server: each sent exactly once,
and together they keep to the rate limit; two worker processes, one killed with kill -9, leave
nothing unsent and send nothing twice.

Run with a throwaway server:
    scripts/pg-test-server.sh run .venv/bin/pytest tests/surveys/sms -q
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import Counter
from datetime import datetime
from datetime import time as clock_time

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.backends import TwilioBackend
from app.messaging.models import OutboundMessage
from app.messaging.worker import Worker
from tests.conftest import TEST_DATABASE_URL, build_app
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, FakeTwilio
from tests.surveys.sms.worker_processes import run_two_workers_killing_one

MESSAGES = 10_000
RATE = 500  # texts a second, for both workers together


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max(bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


def _queue(app, count: int) -> None:
    with app.app_context():
        from app.staff.authority.services import get_settings

        settings = get_settings()
        settings.sms_quiet_start = settings.sms_quiet_end = clock_time(0, 0)  # no quiet hours
        db.session.execute(
            sa.insert(OutboundMessage),
            [
                {
                    "to_number": f"+4477009{i % 100000:05d}",
                    "body": f"Survey reminder {i}",
                    "encoding": "GSM-7",
                    "segments": 1,
                    "status": "queued",
                    "attempts": 0,
                    "next_attempt_at": datetime(2026, 1, 1),
                    "is_conversation_reply": False,
                    "created_at": datetime(2026, 1, 1),
                }
                for i in range(count)
            ],
        )
        db.session.commit()


def _drain_with_two_workers(app, fake: FakeTwilio) -> tuple[list[Worker], float]:
    workers = [
        Worker(
            app,
            batch=25,
            name=f"worker-{n}",
            backend=TwilioBackend(
                TEST_ACCOUNT_SID,
                TEST_AUTH_TOKEN,
                from_number="+447700900000",
                http_client=fake.http_client(),
            ),
        )
        for n in (1, 2)
    ]
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=w.run, kwargs={"stop_when_empty": True, "idle_sleep": 0.05}, daemon=True
        )
        for w in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    assert not any(t.is_alive() for t in threads), "workers did not finish"
    return workers, time.monotonic() - started


def _assert_each_sent_once(app, sent, count: int) -> None:
    bodies = Counter(form["Body"] for _, form in sent)
    assert len(sent) == count
    assert len(bodies) == count and max(bodies.values()) == 1
    with app.app_context():
        statuses = dict(
            db.session.execute(
                sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
            ).all()
        )
        assert statuses == {"sent": count}
        distinct_sids = sa.select(sa.func.count(sa.distinct(OutboundMessage.provider_sid)))
        assert db.session.scalar(distinct_sids) == count
        db.engine.dispose()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_workers_send_ten_thousand_texts_exactly_once_within_the_rate(database_uri):
    app = build_app(database_uri, SMS_RATE_PER_SECOND=RATE, SMS_BACKEND="twilio")
    _queue(app, MESSAGES)
    with FakeTwilio() as fake:
        workers, elapsed = _drain_with_two_workers(app, fake)
        sent = list(fake.sent)
    busiest = _max_in_any_second([arrived for arrived, _ in sent])
    print(
        f"\n{len(sent)} texts in {elapsed:.1f} s ({len(sent) / elapsed:.0f}/s, limit {RATE}/s); "
        f"busiest second {busiest}; by worker {[w.stats.sent for w in workers]}"
    )
    _assert_each_sent_once(app, sent, MESSAGES)
    assert all(w.stats.sent > 0 for w in workers)  # both did their share
    assert busiest <= RATE * 1.05 + 2  # network jitter at the fake server


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_workers_together_keep_to_a_rate_they_could_beat(database_uri):
    """At 40 a second, well below what two workers manage here, the shared slots must bind."""
    rate, count = 40, 200
    app = build_app(database_uri, SMS_RATE_PER_SECOND=rate, SMS_BACKEND="twilio")
    _queue(app, count)
    with FakeTwilio() as fake:
        workers, elapsed = _drain_with_two_workers(app, fake)
        sent = list(fake.sent)
    busiest = _max_in_any_second([arrived for arrived, _ in sent])
    print(f"\n{count} texts at {rate}/s: {elapsed:.1f} s, busiest second {busiest}")
    _assert_each_sent_once(app, sent, count)
    assert all(w.stats.sent > 0 for w in workers)
    assert elapsed >= (count - 1) / rate * 0.98
    assert busiest <= rate * 1.05 + 2  # network jitter at the fake server


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_a_worker_killed_mid_run_leaves_nothing_unsent_and_nothing_sent_twice(
    database_uri, tmp_path
):
    """Two real worker processes, one killed with kill -9: the survivor takes over its texts
    when their lease runs out, asks Twilio about the ones it may have sent, and sends the rest.
    The same run over 2,000 texts with the rate measured is in tests/bench."""
    count = 1_000
    app = build_app(database_uri)
    run = run_two_workers_killing_one(
        app,
        database_uri,
        tmp_path,
        count,
        delay=0.0,
        timeout=50,
        SMS_RATE_PER_SECOND=100,
        SMS_LEASE_SECONDS=3,
    )
    print(f"\n{count} texts, first worker killed after {run.killed_after}: {run.statuses}")
    assert 0 < run.killed_after < count
    assert max(run.by_reference.values()) == 1  # each sent exactly once, counted at Twilio
    assert run.statuses == {"sent": count}  # none left "sending", failed or queued
