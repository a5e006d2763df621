"""Safeguarding jobs: telling the lead a flag is waiting, by email, after the answer is saved.

The email is sent by the job consumer, never inside the answer's transaction: a mail server
that is slow or down must not lose the answer or the flag, nor show the young person an error.
Huey retries with backoff (30 s, 1, 2, 4, 8 minutes, ...) while the server is down.
"""

from __future__ import annotations

from flask import current_app

from app.core import jobs
from app.messaging.mail import send_email
from app.staff.authority.services import get_settings


@jobs.task(retries=8, retry_delay=30, retry_backoff=2)
def notify_lead(round_name: str, categories: list[str]) -> None:
    """Tell the safeguarding lead a flag is waiting. The email holds no answer text."""
    settings = get_settings()
    if not settings.safeguarding_lead_email:
        current_app.logger.warning("Safeguarding flag raised but no lead email is set")
        return
    send_email(
        to=settings.safeguarding_lead_email,
        subject=f"Safeguarding flag: {round_name}",
        body=(
            f"A survey answer in '{round_name}' may show a young person at risk "
            f"({', '.join(c.replace('_', ' ') for c in categories)}).\n\n"
            f"Sign in to Belonging to review it: "
            f"{current_app.config['PUBLIC_BASE_URL']}/safeguarding\n\n"
            "The answer is anonymous. The young person was shown where to get help now."
        ),
    )
