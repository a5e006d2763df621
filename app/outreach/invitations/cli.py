"""`flask invitations remind`: queue the reminders that are due and send waiting emails.

The job consumer (`flask jobs worker`) does the same every hour (app/outreach/invitations/tasks.py);
this command does it now, or with ``--every 300`` as a long-running loop. Texts it queues are
sent by the consumer or `flask sms worker`, which applies quiet hours, opt-outs and
"do not contact" at send time; emails are held during quiet hours and checked again at send time.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.outreach.invitations.services import (
    apply_completion_notices,
    deliver_emails,
    send_due_reminders,
)

invitations_cli = AppGroup("invitations", help="Invitations and reminders.")


@invitations_cli.command("remind")
@click.option("--every", default=0, help="Repeat every this many seconds (0: run once).")
def remind(every: int) -> None:
    """Queue due reminders (all open rounds) and send queued invitation and reminder emails."""
    while True:
        queued = send_due_reminders()
        emailed = deliver_emails()
        click.echo(f"Reminders queued: {queued}. Emails sent: {emailed}.")
        if not every:
            break
        time.sleep(every)


@invitations_cli.command("apply-notices")
@click.option("--all", "everything", is_flag=True, help="Apply even batches smaller than 5.")
def apply_notices(everything: bool) -> None:
    """Apply the sealed completion notices now (the daily job does this on its own)."""
    completed = apply_completion_notices(everything=everything)
    click.echo(f"Invitations completed: {completed}.")
