"""Saving a long list in batches, each its own short transaction, with progress between.

A large import in one transaction holds SQLite's write lock from its first write to its commit,
and young people's answers waiting for it fail with "database is locked" after the busy
timeout. So an import saves ``size`` rows per transaction and records its progress in the same
commit. Between batches it pauses for ``pause`` seconds: SQLite keeps no queue of writers (a
waiting one polls, at most every 100 ms), so a job that begins its next batch the moment it
commits can keep an answer waiting until it gives up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import current_app

from app.core.extensions import commit_keeping_loaded

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
