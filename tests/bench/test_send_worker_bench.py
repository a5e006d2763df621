"""Send-worker benchmark (issue 20's bar 3): two `flask sms worker` processes on PostgreSQL, one
killed with kill -9 a third of the way, send 2,000 texts to a fake Twilio on localhost that
answers in 0 s and then in 0.3 s. Each text must reach Twilio exactly once (counted by our
reference), none may be left unsent, and sent per second over the run must be within 10% of
SMS_RATE_PER_SECOND (10, the default). About 200 s a provider. Run with a throwaway server:
    scripts/pg-test-server.sh run .venv/bin/pytest -m bench -s tests/bench/test_send_worker_bench.py
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL, build_app
from tests.surveys.sms.worker_processes import run_two_workers_killing_one

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

COUNT = 2_000
RATE = 10.0


@pytest.mark.parametrize("delay", [0.0, 0.3], ids=["twilio-0s", "twilio-0.3s"])
def test_two_workers_one_killed_keep_the_rate_and_send_each_text_once(
    database_uri, tmp_path, delay
):
    app = build_app(database_uri)
    run = run_two_workers_killing_one(
        app,
        database_uri,
        tmp_path,
        COUNT,
        delay=delay,
        timeout=COUNT / RATE * 1.5 + 60,
        SMS_RATE_PER_SECOND=RATE,
        SMS_LEASE_SECONDS=30,
    )
    rate = run.sent_per_second
    print(
        f"\nsend worker, Twilio answering in {delay} s: {COUNT} texts, 2 workers (one killed "
        f"after {run.killed_after}): {rate:.2f} sent/s against {RATE:.0f}/s configured "
        f"({rate / RATE:.2f}x); sent twice {sum(n > 1 for n in run.by_reference.values())}; "
        f"statuses {run.statuses}"
    )
    assert max(run.by_reference.values()) == 1
    assert run.statuses == {"sent": COUNT}
    assert abs(rate - RATE) <= RATE * 0.10
