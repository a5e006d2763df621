"""SMS conversation jobs: ending idle conversations (and with them the link to the answers)."""

from __future__ import annotations

from app.core import jobs
from surveys.sms.services import expire


@jobs.periodic_task(jobs.crontab(minute="5"))
def expire_conversations() -> tuple[int, int]:
    """Hourly, like `flask sms expire`: the idle limit is in days, so an hour late is fine."""
    return expire()
