"""Invitation jobs: the hourly reminders, and sending queued invitation and reminder emails.

Replaces the cron line for `flask invitations remind` (the command still works). Emails queued
by a request are sent by ``deliver_emails`` soon after, not in the request, so a slow mail
server never holds up a page; texts go to the outbound queue, sent by app/messaging/tasks.py.
"""

from __future__ import annotations

from app.core import jobs
from app.outreach.invitations import letter_runs, letters, services


@jobs.task(retries=3, retry_delay=60, retry_backoff=2)
def deliver_emails() -> int:
    """Send the queued emails (quiet hours and "do not contact" are checked at send time)."""
    return services.deliver_emails()


@jobs.task(retries=3, retry_delay=60, retry_backoff=2)
def deliver_letters() -> int:
    """With LETTER_BACKEND "notify": send the waiting letters to GOV.UK Notify."""
    return letters.deliver_letters()


@jobs.task(retries=1, retry_delay=30)
def make_letters(run_id: int) -> None:
    """A cohort's letters PDF, in parts (app/outreach/invitations/letter_runs.py)."""
    letter_runs.make(run_id)


@jobs.periodic_task(jobs.crontab(minute="5"))
def retry_letters() -> int:
    """Hourly: letters Notify could not take (429, 5xx) wait for this run."""
    return letters.deliver_letters()


@jobs.periodic_task(jobs.crontab(minute="0"))
def send_reminders() -> tuple[int, int]:
    """Hourly: queue the reminders that are due, then send the waiting emails."""
    return services.send_due_reminders(), services.deliver_emails()


@jobs.periodic_task(jobs.crontab(minute="30", hour="3"))
def apply_completion_notices() -> int:
    """Daily: apply the sealed completion notices in shuffled batches (surveys/completion.py)."""
    return services.apply_completion_notices()
