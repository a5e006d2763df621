"""Background jobs: one Huey instance, configured from config.py, whose tasks run in the app.

The layers stay as they are: this module defines the runner and nothing else. Each area
registers its own tasks in its own ``tasks.py`` (app/board/tasks.py, surveys/sms/tasks.py, ...)
with the decorators below, and the composition root (app/factory.py) imports those modules so
that the consumer knows every task.

- Storage comes from ``HUEY_URL``: ``sqlite:///path`` (the default, a file in the instance
  folder, so `make run` needs no server) or ``redis://host:port/db`` (several machines).
  ``HUEY_IMMEDIATE`` runs each task at once in the process that asked (TestConfig).
- Every task runs in a fresh Flask app context of the app that ``init_app`` bound (built once
  per consumer process by `flask jobs worker`), so it has its own database session and commits
  its own work. In immediate mode the app that asked is used.
- Huey loses a task whose consumer is killed while running it (it has no acknowledgements), so a
  task must be safe to run twice, and work that must survive a crash keeps its state in its own
  row and is picked up again by an ``on_consumer_start`` function or a periodic task (see
  app/board/tasks.py).
- ``enqueue_after_commit`` holds a task until the current transaction commits (and drops it on
  rollback): a job never runs on data that was not saved, and a slow or failing job (an email
  to a mail server that is down) is never part of the request's transaction.
- SIGTERM stops the consumer gracefully (it finishes running tasks, up to
  HUEY_SHUTDOWN_SECONDS); SIGINT stops it at once.
- Heartbeat: a consumer records the time (from app.core.clock) in the queue's own key-value
  store when it starts and then every minute, from a periodic task, so the beat shows that a
  consumer is reading this queue and its workers run tasks; ``/healthz`` reads it from any
  machine that shares the queue (app/core/health.py).
"""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.api import TaskWrapper
from huey.constants import EmptyData
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.core import extensions
from app.core.clock import utcnow
from app.core.extensions import db

__all__ = [
    "crontab",
    "enqueue_after_commit",
    "huey",
    "init_app",
    "last_heartbeat",
    "on_consumer_start",
    "periodic_task",
    "run_consumer",
    "take_up_lost",
    "task",
]

log = logging.getLogger(__name__)

# Storage is chosen by init_app from the app's config; until then nothing touches a file.
huey = Huey("belonging", storage_class=MemoryStorage, utc=True)

_bound: dict[str, Flask | None] = {"app": None}
_consumer_start: list[Callable[[], Any]] = []
_PENDING = "jobs.after_commit"
_HEARTBEAT = "jobs.heartbeat"
HEARTBEAT_SECONDS = 60  # the periodic task below runs every minute


def storage_for(url: str):
    """The Huey storage a HUEY_URL names."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(huey.name, filename=str(path))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(huey.name, url=url)
    raise ValueError(f"HUEY_URL must start with sqlite:/// or redis://, not {url.split(':')[0]}")


def init_app(app: Flask) -> None:
    """Point the runner at the app's queue and make the app the one tasks run in."""
    huey._immediate = bool(app.config["HUEY_IMMEDIATE"])
    # A fresh in-memory queue per app in immediate mode: one test's retries never reach another.
    if huey.immediate:
        huey.storage = MemoryStorage(huey.name)
    else:
        huey.storage = storage_for(app.config["HUEY_URL"])
    _bound["app"] = app


def _task_app() -> Flask:
    if huey.immediate and has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    app = _bound["app"]
    if app is None:
        raise RuntimeError("No app for background jobs: run them with `flask jobs worker`")
    return app


def _in_app_context(fn: Callable) -> Callable:
    @functools.wraps(fn)  # keeps the module and name, which Huey uses to name the task
    def run(*args, **kwargs):
        with _task_app().app_context():
            return fn(*args, **kwargs)

    return run


def task(**options) -> Callable[[Callable], TaskWrapper]:
    """``@jobs.task(retries=3, retry_delay=30, retry_backoff=2)``: a Huey task in the app."""

    def decorate(fn: Callable) -> TaskWrapper:
        return huey.task(**options)(_in_app_context(fn))

    return decorate


def periodic_task(when: Callable, **options) -> Callable[[Callable], TaskWrapper]:
    """``@jobs.periodic_task(jobs.crontab(minute="0"))``: run by the consumer's scheduler."""

    def decorate(fn: Callable) -> TaskWrapper:
        return huey.periodic_task(when, **options)(_in_app_context(fn))

    return decorate


def on_consumer_start(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``fn`` in the app once when a consumer starts (to pick up work a crash left)."""
    _consumer_start.append(fn)
    return fn


def take_up_lost(
    task: TaskWrapper, lost: Callable[..., list[int]], when: Callable
) -> Callable[..., int]:
    """Queue ``task`` again for each run whose job was lost: every run ``lost(at_start=True)``
    names when a consumer starts (its own jobs died with it), then on the schedule ``when`` the
    runs ``lost()`` names (a consumer died on another machine). ``task`` must be safe to run
    twice. Returns the function that queues them, for tests and commands."""

    def take_up(*, at_start: bool = False) -> int:
        ids = lost(at_start=at_start)
        for run_id in ids:
            task(run_id)
        return len(ids)

    def at_start() -> None:
        take_up(at_start=True)

    name = f"take_up_lost_{task.task_class.__name__}"  # one periodic task per task, by name
    at_start.__name__ = name
    on_consumer_start(at_start)
    huey.periodic_task(when, name=name)(_in_app_context(take_up))
    return take_up


def record_heartbeat() -> None:
    """Say "a consumer is alive and running tasks now" where every web process can read it."""
    huey.storage.put_data(_HEARTBEAT, utcnow().isoformat().encode())


def last_heartbeat() -> datetime | None:
    """When a consumer last recorded its heartbeat (naive UTC), or None if none ever has."""
    value = huey.storage.peek_data(_HEARTBEAT)
    if value is EmptyData:
        return None
    return datetime.fromisoformat(value.decode())


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    record_heartbeat()


@periodic_task(crontab(minute="*"))
def scrub_left_behind() -> None:
    """Deleted links a VACUUM had to leave (app/core/extensions.py, scrub_deleted), removed."""
    left = extensions.scrub_left_behind()
    if left:
        log.info("Scrubbed again the deleted links left in %s", ", ".join(left))


on_consumer_start(record_heartbeat)


def enqueue_after_commit(job: TaskWrapper, *args, **kwargs) -> None:
    """Enqueue ``job(*args, **kwargs)`` when the current database transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.connection()  # begin one now, so that its commit or rollback decides the job
    session.info.setdefault(_PENDING, []).append((job, args, kwargs))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    for job, args, kwargs in session.info.pop(_PENDING, []):
        try:
            job(*args, **kwargs)
        except Exception:  # the queue itself is down: the saved work stands, log it loudly
            log.exception("Could not enqueue %s", job.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not session.in_transaction():  # the whole transaction, not a savepoint, was rolled back
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING, None)


def run_consumer(app: Flask, workers: int | None = None) -> None:
    """Run the Huey consumer for ``app`` until SIGTERM (graceful) or SIGINT."""
    if huey.immediate:
        raise RuntimeError("HUEY_IMMEDIATE is on: there is no queue for a consumer to read")
    _bound["app"] = app
    consumer = huey.create_consumer(
        workers=workers or app.config["HUEY_WORKERS"],
        worker_type="thread",
        periodic=True,
        graceful_signal="TERM",
        shutdown_timeout=app.config["HUEY_SHUTDOWN_SECONDS"],
        flush_locks=True,  # a lock held by a consumer that was killed would block for ever
    )
    # Say when the consumer is ready, i.e. once its signal handlers are in place (Huey sets them
    # last in Consumer.start and logs nothing after): a SIGTERM sent before then would kill it.
    set_signal_handlers = consumer._set_signal_handlers

    def set_handlers_and_say_ready() -> None:
        set_signal_handlers()
        log.info("Ready for jobs: SIGTERM stops gracefully, SIGINT at once.")

    consumer._set_signal_handlers = set_handlers_and_say_ready
    for fn in _consumer_start:
        with app.app_context():
            try:
                fn()
            except Exception:
                log.exception("Start-up job %s failed", fn.__name__)
    consumer.run()
    # The work is done: skip the interpreter's last garbage collection over the app's large
    # heap (the spelling dictionaries), which takes seconds and would hold up a SIGTERM stop.
    gc.freeze()
