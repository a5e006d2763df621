"""The one clock. Nothing else in the code base reads the time.

- ``utcnow()``: the instant, as a naive UTC datetime (how the database stores times).
- ``today()``: the date in the authority's time zone (Europe/London unless the authority's
  settings say otherwise), so "today" turns over at local midnight, not at UTC midnight.

The staff layer tells the clock where to find the authority's zone (``use_zone``) when the app
starts; the core layer cannot import the settings itself. Tests freeze this clock with
time-machine (tests/conftest.py), so the suite gives the same answers at any hour and on any date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/London"

_zone_lookup: Callable[[], str] | None = None


def use_zone(lookup: Callable[[], str]) -> None:
    """Where ``today()`` reads the authority's time zone from (a setting kept in the database)."""
    global _zone_lookup
    _zone_lookup = lookup


def zone() -> ZoneInfo:
    name = DEFAULT_ZONE
    if _zone_lookup is not None:
        try:
            name = _zone_lookup() or DEFAULT_ZONE
        except RuntimeError:  # no application context (an offline command): the default zone
            name = DEFAULT_ZONE
    return ZoneInfo(name)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def now_local() -> datetime:
    """The wall-clock time in the authority's zone (aware)."""
    return datetime.now(UTC).astimezone(zone())


def today() -> date:
    return now_local().date()
