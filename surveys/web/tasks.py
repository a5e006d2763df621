"""Web channel jobs: writing the thank-you page's sealed sign-ups in batches (sign_ups.py)."""

from __future__ import annotations

from app.core import jobs
from surveys.web.sign_ups import apply_sign_ups


@jobs.periodic_task(jobs.crontab(minute="40", hour="3"))
def apply_pending_sign_ups() -> int:
    """Daily: write the waiting sign-ups in shuffled batches of at least NOTICE_BATCH_MIN per
    round (all that are left once a round has closed), never next to a respondent's writes."""
    return apply_sign_ups()
