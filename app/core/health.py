"""What ``/healthz`` reports: each part of the service, whether it is fresh, as plain JSON.

A part is stale when the work it should be doing waits longer than its setting in config.py
(HEALTH_*_STALE_SECONDS): the job runner's last heartbeat (app/core/jobs.py), the oldest text
that is due to be sent, the oldest board pack not yet finished. The database is stale when it
cannot be reached. Any stale part makes the whole answer 503, for a load balancer or an uptime
check; the body says which part and how old, in seconds, and nothing else (no personal data,
no counts of people), so the route is public and is never rate-limited.

The layers decide the shape: the core cannot import the areas whose work it reports, so each
area offers a function that returns the time its oldest waiting work became due (or None when
nothing waits), and the composition root (app/factory.py) registers it here with ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.core import jobs
from app.core.clock import utcnow
from app.core.extensions import db


@dataclass(frozen=True)
class Check:
    """``waiting_since()`` is when the oldest waiting work became due (naive UTC) or None;
    the part is stale once that is more than the ``setting`` (seconds) ago."""

    name: str
    field: str  # the name of the age in the JSON, in an operator's words
    waiting_since: Callable[[], datetime | None]
    setting: str


_CHECKS: dict[str, Check] = {}


def register(name: str, field: str, waiting_since: Callable[[], datetime | None], setting: str):
    _CHECKS[name] = Check(name, field, waiting_since, setting)


def _heartbeat() -> datetime | None:
    beat = jobs.last_heartbeat()
    # No beat at all is as stale as can be: a worker that never started is a worker stopped.
    return beat if beat is not None else datetime.min


# The job runner's own part; the other parts are registered by the composition root.
register("jobs", "last_heartbeat_age_seconds", _heartbeat, "HEALTH_HEARTBEAT_STALE_SECONDS")


def report() -> tuple[bool, dict[str, Any]]:
    """(all fresh?, the JSON body)."""
    body: dict[str, Any] = {"database": _database()}
    if body["database"]["status"] == "ok":
        for check in _CHECKS.values():
            if check.name == "jobs" and jobs.huey.immediate:
                body["jobs"] = {"status": "ok", "mode": "immediate"}  # tests: jobs run at once
                continue
            body[check.name] = _run(check)
    healthy = all(part["status"] == "ok" for part in body.values())
    return healthy, {"status": "ok" if healthy else "stale", **body}


def _database() -> dict[str, Any]:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check: database unreachable")
        db.session.rollback()
        return {"status": "unreachable"}
    return {"status": "ok"}


def _run(check: Check) -> dict[str, Any]:
    limit = int(current_app.config[check.setting])
    try:
        since = check.waiting_since()
    except Exception:  # a queue server that is down, a failing query: report it, never crash
        current_app.logger.exception("Health check %s failed", check.name)
        db.session.rollback()
        return {"status": "error", "stale_after_seconds": limit}
    if since is None:
        return {"status": "ok", check.field: None, "stale_after_seconds": limit}
    if since == datetime.min:
        return {"status": "stale", check.field: None, "stale_after_seconds": limit}
    # A beat a moment "in the future" (another machine's clock) counts as now.
    age = max(0, round((utcnow() - since).total_seconds()))
    return {
        "status": "ok" if age <= limit else "stale",
        check.field: age,
        "stale_after_seconds": limit,
    }
