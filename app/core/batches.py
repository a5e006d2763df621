"""Saving a long list in batches, each its own short transaction, with progress between.

A large import in one transaction holds SQLite's write lock from its first write to its commit,
and young people's answers waiting for it fail with "database is locked" after the busy
timeout. So an import saves ``size`` rows per transaction and records its progress in the same
commit. Between batches it pauses for ``pause`` seconds: SQLite keeps no queue of writers (a
waiting one polls, at most every 100 ms), so a job that begins its next batch the moment it
commits can keep an answer waiting until it gives up.

A job that saves in batches records its run in a row with ``attempt`` and ``progressed_at``
columns (an import run, a contacts import's report). ``take_over`` gives the job the next
attempt; ``update_if_mine`` writes progress only while the attempt is still the job's, in the
batch's own transaction, and raises ``Superseded`` otherwise. So when a second job takes the
run over (Huey's retry, a consumer restarted while the first job was only slow), the first one's
next batch is rolled back and it stops, and no row is saved twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from app.core.clock import utcnow
from app.core.extensions import commit_keeping_loaded, rows_changed

T = TypeVar("T")


def save_in_batches(
    items: Sequence[T],
    save: Callable[[Sequence[T]], None],
    progress: Callable[[int, int], None],
) -> None:
    """Call ``save`` on IMPORT_BATCH_ROWS items at a time and ``progress(done, total)`` after
    each (and once before the first), committing each batch with its progress. What the
    session has loaded stays loaded between batches (``commit_keeping_loaded``)."""
    size = max(1, current_app.config["IMPORT_BATCH_ROWS"])
    pause = current_app.config["IMPORT_BATCH_PAUSE_SECONDS"]
    total = len(items)
    progress(0, total)
    commit_keeping_loaded()
    for start in range(0, total, size):
        save(items[start : start + size])
        progress(min(total, start + size), total)
        commit_keeping_loaded()
        if start + size < total:
            time.sleep(pause)  # let a waiting writer (an answer) have the lock


class Superseded(Exception):
    """Another job has taken this run over: this one stops, its open batch rolled back."""


def lost_before() -> datetime:
    """A run whose last progress is older than this lost its job: IMPORT_STALE_MINUTES ago."""
    return utcnow() - timedelta(minutes=current_app.config["IMPORT_STALE_MINUTES"])


def take_over(model: Any, row_id: int, seen: int, *where: Any, **values: Any) -> bool:
    """Give the calling job the run's next attempt, unless another job took it since ``seen``
    was read (or ``where`` no longer holds). The caller commits."""
    return (
        rows_changed(
            sa.update(model)
            .where(model.id == row_id, model.attempt == seen, *where)
            .values(attempt=seen + 1, progressed_at=utcnow(), **values)
        )
        == 1
    )


def update_if_mine(model: Any, row_id: int, attempt: int, **values: Any) -> None:
    """Update the run in the current transaction if ``attempt`` is still its own; otherwise
    raise ``Superseded`` (the caller rolls back)."""
    changed = rows_changed(
        sa.update(model)
        .where(model.id == row_id, model.attempt == attempt)
        .values(progressed_at=utcnow(), **values)
    )
    if not changed:
        raise Superseded(row_id)
