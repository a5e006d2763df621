"""Safeguarding jobs: telling the lead a flag is waiting, and the deputy when nobody looked.

The email is sent by the job consumer, never inside the answer's transaction: a mail server
that is slow or down must not lose the answer or the flag, nor show the young person an error.
Huey retries with backoff (30 s, 1, 2, 4, 8 minutes, ...) while the server is down.
"""

from __future__ import annotations

from flask import current_app

from app.core import jobs
from app.messaging.mail import send_email
from app.staff.authority.services import get_settings
from surveys.safeguarding import services
from surveys.safeguarding.models import FLAG_ORIGINS


@jobs.task(retries=8, retry_delay=30, retry_backoff=2)
def notify_lead(round_name: str | None, categories: list[str], origin: str = "text") -> None:
    """Tell the safeguarding lead a flag is waiting: on an answer in ``round_name``, or (None)
    on words that came with no answer (``origin``: models.FLAG_ORIGINS). The email holds no
    answer text."""
    settings = get_settings()
    if not settings.safeguarding_lead_email:
        current_app.logger.warning("Safeguarding flag raised but no lead email is set")
        return
    concern = ", ".join(c.replace("_", " ") for c in categories)
    helped = (
        "The person who keyed it was asked to give you the paper form today."
        if origin in ("keyed", "refused")
        else "The young person was shown where to get help now."
    )
    if round_name is None:
        label = FLAG_ORIGINS.get(origin, FLAG_ORIGINS["text"])
        subject, said = f"Safeguarding flag: {label.lower()}", f"{label} (no survey answer)"
    else:
        subject, said = f"Safeguarding flag: {round_name}", f"A survey answer in '{round_name}'"
    send_email(
        to=settings.safeguarding_lead_email,
        subject=subject,
        body=(
            f"{said} may show a young person at risk ({concern}).\n\n"
            f"Sign in to Belonging to review it: "
            f"{current_app.config['PUBLIC_BASE_URL']}/safeguarding\n\n"
            f"It is anonymous. {helped}"
        ),
    )


@jobs.periodic_task(jobs.crontab(minute="15"))
def escalate_overdue_flags() -> None:
    """Every hour: flags nobody reviewed in time go to the deputy (services.escalate_overdue)."""
    services.escalate_overdue()


@jobs.task(retries=8, retry_delay=30, retry_backoff=2)
def notify_deputy(count: int, likely: int, rounds: list[str]) -> None:
    """Tell the deputy flags are waiting too long. Counts and round names only, no answer text."""
    settings = get_settings()
    to = settings.safeguarding_deputy_email or settings.safeguarding_lead_email
    if not to:
        return
    hours = settings.safeguarding_escalate_hours
    send_email(
        to=to,
        subject=f"Safeguarding flags not reviewed: {count}",
        body=(
            f"{count} safeguarding flag{'s' if count != 1 else ''} ({likely} likely) "
            f"{'have' if count != 1 else 'has'} not been reviewed within {hours} hours, "
            f"in: {', '.join(rounds)}.\n\n"
            f"Sign in to Belonging to review them: "
            f"{current_app.config['PUBLIC_BASE_URL']}/safeguarding\n\n"
            "The answers are anonymous and are not included in this email."
        ),
    )
