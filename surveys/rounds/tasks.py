"""Round jobs: the daily tally of complete responses that the responses-over-time charts read,
and the response rate's denominator for open rounds opened before it was recorded.

Opening a round records the denominator (surveys/services.py ``open_round``); the second job
catches rounds that were already open when that began, once the consumer starts and then
hourly, so that no page has to write it on a GET (issue 20).
"""

from __future__ import annotations

from app.core import jobs
from surveys.response_rate import record_missing_eligible_counts
from surveys.rounds.tallies import record_tallies


@jobs.periodic_task(jobs.crontab(minute="55"))
def tally_rounds() -> int:
    """Hourly (the scheduler runs in UTC, the day is the authority's): each run overwrites the
    day's tally, so the day's last run leaves its end-of-day count. Never in a respondent's
    request, and never per response."""
    return record_tallies()


@jobs.on_consumer_start
def record_eligible_counts_at_start() -> None:
    record_missing_eligible_counts()


@jobs.periodic_task(jobs.crontab(minute="10"))
def record_eligible_counts() -> int:
    """Hourly: open rounds still without the eligible count at opening get it now."""
    return record_missing_eligible_counts()
