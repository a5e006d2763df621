"""`flask sms worker` is a long-running service: a stop from systemd or a deploy ends it cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, _migrate
from tests.consumer import real_clock_environ

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL is not None, reason="one run is enough: the signal handling is the same"
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_stops_cleanly_on_a_stop_signal(tmp_path: Path, signum: int):
    uri = f"sqlite:///{tmp_path / 'worker.db'}"
    _migrate(uri)
    env = {
        **real_clock_environ(),
        "BELONGING_ENV": "development",
        "DATABASE_URL": uri,
        "SECRET_KEY": "worker-signal-test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    flask = Path(sys.executable).with_name("flask")
    worker = subprocess.Popen(
        [str(flask), "--app", "wsgi", "sms", "worker", "--idle-sleep", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait for the worker to say it is running (its stop handlers are in place by then).
        assert worker.stderr is not None
        for line in worker.stderr:
            if "SIGTERM or Ctrl-C stops" in line:
                break
        worker.send_signal(signum)
        out, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "sent 0, retrying 0, failed 0, cancelled 0, held for quiet hours 0" in out
