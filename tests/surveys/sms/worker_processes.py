"""Real `flask sms worker` processes against a fake Twilio server, one of them killed with
kill -9 part way: the run the PostgreSQL test and the send-worker benchmark share.

The workers run the development config on the real clock (tests/consumer.py), against the
test's PostgreSQL database, with TWILIO_API_BASE_URL pointing the SDK at the fake server.
Texts are due from 2000, whatever the real date; quiet hours are switched off.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.staff.authority.services import get_settings
from tests.consumer import ROOT, real_clock_environ
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, FakeTwilio

DUE = datetime(2000, 1, 1)  # due before any real date the workers may run on


def queue_texts(app, count: int) -> list[int]:
    with app.app_context():
        settings = get_settings()
        settings.sms_quiet_start = settings.sms_quiet_end = clock_time(0, 0)  # no quiet hours
        db.session.execute(
            sa.insert(OutboundMessage),
            [
                {
                    "to_number": f"+4477009{i:05d}",
                    "body": f"Survey reminder {i}",
                    "encoding": "GSM-7",
                    "segments": 1,
                    "status": "queued",
                    "attempts": 0,
                    "next_attempt_at": DUE,
                    "is_conversation_reply": False,
                    "created_at": DUE,
                }
                for i in range(count)
            ],
        )
        db.session.commit()
        ids = list(db.session.scalars(sa.select(OutboundMessage.id)))
        db.session.remove()
        return ids


def start_worker(database_uri: str, fake: FakeTwilio, tmp_path: Path, n: int, **settings):
    log = (tmp_path / f"sms-worker-{n}.log").open("w")
    env = {
        **real_clock_environ(),
        "FLASK_APP": "wsgi",
        "BELONGING_ENV": "development",
        "SECRET_KEY": "sms-worker-test-secret",
        "DATABASE_URL": database_uri,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_API_BASE_URL": fake.url,
        **{key: str(value) for key, value in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "sms", "worker", "--until-empty", "--idle-sleep", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = Path(log.name)  # type: ignore[attr-defined]
    return process


@dataclass
class Run:
    count: int
    by_reference: Counter[str]
    statuses: dict[str, int]
    arrivals: list[float]  # monotonic seconds at the fake server, sorted
    killed_after: int  # texts the fake had taken when the first worker was killed

    @property
    def sent_per_second(self) -> float:
        span = self.arrivals[-1] - self.arrivals[0]
        return (len(self.arrivals) - 1) / span if span > 0 else float("inf")


def run_two_workers_killing_one(
    app, database_uri: str, tmp_path: Path, count: int, *, delay: float, timeout: float, **settings
) -> Run:
    ids = queue_texts(app, count)
    with FakeTwilio(delay=delay) as fake:
        workers = [start_worker(database_uri, fake, tmp_path, n, **settings) for n in (1, 2)]
        try:
            deadline = time.monotonic() + timeout
            while len(fake.sent) < count // 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            killed_after = len(fake.sent)
            workers[0].kill()  # SIGKILL: no clean-up, whatever it held stays claimed
            workers[0].wait(timeout=30)
            workers[1].wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(
                "the surviving worker did not finish: " + workers[1].log_path.read_text()[-3000:]  # type: ignore[attr-defined]
            ) from None
        finally:
            for process in workers:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=30)
        arrivals = sorted(at for at, _ in fake.sent)
        by_reference = Counter(fake.by_reference)
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
        )
        statuses = {status: number for status, number in rows}
        db.session.remove()
        db.engine.dispose()
    assert sorted(by_reference) == sorted(str(i) for i in ids), "a text never reached Twilio"
    return Run(count, by_reference, statuses, arrivals, killed_after)
