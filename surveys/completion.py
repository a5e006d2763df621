"""How the anonymous side lets the personal side know that an invited person has finished.

``surveys`` never imports ``app.outreach`` (the anonymity boundary; import-linter checks it). When
a channel completes a response it calls ``announce`` with only what the personal side needs to
find the invitation: the round, and for a text conversation the number's hash (a browser that
came by a personal link carries its code in its own session). The outreach layer registers a
listener when the app is built (``app.outreach.hooks``), so reminders stop for that person.
Nothing about the response itself is passed on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finished:
    """Someone finished the survey for ``round_id``; ``phone_hash`` is set for the SMS channel."""

    round_id: int
    phone_hash: str | None = None


Listener = Callable[[Finished], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Register a listener once (create_app runs for every app a process builds)."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(finished: Finished) -> None:
    for listener in _listeners:
        listener(finished)
