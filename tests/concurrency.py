"""Requests at the same moment, for attack tests: each in a thread of its own, held at a chosen
point until all have reached it, then let go together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def held_after_first_call(monkeypatch, owner: Any, name: str, parties: int) -> None:
    """Patch ``owner.name`` so that each thread's first call returns only once ``parties``
    threads have made theirs (a thread that calls again, e.g. to look again, is not held)."""
    barrier, original, called = (
        threading.Barrier(parties, timeout=10),
        getattr(owner, name),
        threading.local(),
    )

    def call_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(called, "once", False):
            called.once = True
            barrier.wait()
        return result

    monkeypatch.setattr(owner, name, call_then_wait)


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each of ``calls`` in its own thread; their results, in order (the first error is
    raised once all have finished)."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results
