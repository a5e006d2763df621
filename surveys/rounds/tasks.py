"""Round jobs: the daily tally of complete responses that the responses-over-time charts read."""

from __future__ import annotations

from app.core import jobs
from surveys.rounds.tallies import record_tallies


@jobs.periodic_task(jobs.crontab(minute="55"))
def tally_rounds() -> int:
    """Hourly (the scheduler runs in UTC, the day is the authority's): each run overwrites the
    day's tally, so the day's last run leaves its end-of-day count. Never in a respondent's
    request, and never per response."""
    return record_tallies()
