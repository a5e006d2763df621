"""`flask sms worker` and `flask sms expire`, registered onto the `sms` command group."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="Process one batch, then stop.")
@click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--idle-sleep", default=1.0, show_default=True, help="Seconds to wait when idle.")
@click.option("--until-empty", is_flag=True, help="Stop when nothing is left to send now.")
def worker(once: bool, batch: int, idle_sleep: float, until_empty: bool) -> None:
    """Send queued texts (rate-limited, quiet hours, retries). Run several on PostgreSQL."""
    from surveys.sms.worker import Worker

    app = current_app._get_current_object()
    runner = Worker(app, batch=batch)
    try:
        stats = runner.run(once=once, idle_sleep=idle_sleep, stop_when_empty=until_empty)
    except KeyboardInterrupt:
        stats = runner.stats
    click.echo(
        f"sent {stats.sent}, retrying {stats.retried}, failed {stats.failed}, "
        f"cancelled {stats.cancelled}, held for quiet hours {stats.held}"
    )


@click.command("expire")
@with_appcontext
def expire_command() -> None:
    """End idle conversations (deleting their link to answers) and clear old replies."""
    from surveys.sms.services import expire

    ended, cleared = expire()
    click.echo(f"Ended {ended} idle conversations; cleared {cleared} kept replies.")


def register(group: click.Group) -> None:
    group.add_command(worker)
    group.add_command(expire_command, "expire")
