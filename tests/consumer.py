"""A real job consumer (`flask jobs worker`) in a subprocess, for the tests that need one.

It runs the development config against the test's own database and Huey file, on the real clock
(time-machine patches only this process), so those tests assert states, never dates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def real_clock_environ() -> dict[str, str]:
    """This process's environment without a faked wall clock (``make test-at-night`` runs pytest
    under faketime, whose library would otherwise be loaded into the subprocess too): a service
    the tests start runs on the real clock, as a deployed one does."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}


def start_consumer(database_uri: str, huey_url: str, tmp_path: Path, **env: str):
    log = (tmp_path / f"consumer-{time.monotonic_ns()}.log").open("w")
    environment = {
        **{
            k: v
            for k, v in real_clock_environ().items()
            if not k.startswith(("HUEY_", "BOARD_PACK_"))
        },
        "FLASK_APP": "wsgi",
        "BELONGING_ENV": "development",
        "SECRET_KEY": "consumer-test-secret",
        "DATABASE_URL": database_uri,
        "HUEY_URL": huey_url,
        "HUEY_WORKERS": "1",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "LOG_LEVEL": "INFO",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = Path(log.name)  # type: ignore[attr-defined]
    return process


def wait_for(check: Callable[[], object], what: str, timeout: float = 90, process=None):
    """Poll ``check`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the consumer stopped while waiting for {what}: {log(process)}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}: {log(process) if process else ''}")


def log(process) -> str:
    return process.log_path.read_text()[-3000:]


def stop(process) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


def second_job_midway(first: Callable[[], None], second: Callable[[], None], when) -> None:
    """Two jobs for the same work at once: ``first`` in a thread and, once ``when()`` is true
    (the first has got some way), ``second`` here while the first is still going. Then wait for
    the first, and raise what it raised."""
    failures: list[BaseException] = []

    def run_first() -> None:
        try:
            first()
        except BaseException as exc:  # raised below, in the test
            failures.append(exc)

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        wait_for(when, "the first job to get some way")
        second()
    finally:
        thread.join(timeout=120)
    if failures:
        raise failures[0]
