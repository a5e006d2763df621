"""The send worker as a job: every minute the consumer sends the texts that are due.

`flask sms worker` still runs the same Worker as a long-running process (for a busy queue, or
several workers on PostgreSQL); this task is what `make run` and a plain deployment rely on.
One batch run at a time (a Huey lock), until nothing is due now.
"""

from __future__ import annotations

from flask import current_app

from app.core import jobs
from app.messaging.worker import Worker, WorkerStats


@jobs.periodic_task(jobs.crontab(minute="*"))
def send_texts() -> WorkerStats | None:
    with jobs.huey.lock_task("messaging.send_texts"):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        return Worker(app).run(stop_when_empty=True)
