"""`flask sms worker`: send queued texts. The composition root adds it to the `sms` group.

SIGTERM (systemd, a container stop, a deploy) and Ctrl-C stop it cleanly: the batch in hand is
finished, nothing is left claimed, and it exits 0 with its summary line.
"""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app

from app.messaging.worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Process one batch, then stop.")
@click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--idle-sleep", default=1.0, show_default=True, help="Seconds to wait when idle.")
@click.option("--until-empty", is_flag=True, help="Stop when nothing is left to send now.")
def worker(once: bool, batch: int, idle_sleep: float, until_empty: bool) -> None:
    """Send queued texts (rate-limited, quiet hours, retries). Run several on PostgreSQL."""
    # current_app is typed as Flask, but it is a proxy: the worker keeps the app behind it.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = Worker(app, batch=batch)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Sending queued texts; SIGTERM or Ctrl-C stops.", err=True)
    stats = runner.run(once=once, stop=stop, idle_sleep=idle_sleep, stop_when_empty=until_empty)
    click.echo(
        f"sent {stats.sent}, retrying {stats.retried}, failed {stats.failed}, "
        f"cancelled {stats.cancelled}, held for quiet hours {stats.held}"
    )
