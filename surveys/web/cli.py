"""`flask sign-ups`: write the thank-you page's waiting sign-ups now (the daily job does it)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveys.web.sign_ups import apply_sign_ups, waiting

sign_ups_cli = AppGroup("sign-ups", help="Forum and 'hear what changes' sign-ups.")


@sign_ups_cli.command("apply")
@click.option("--all", "everything", is_flag=True, help="Apply even batches smaller than 5.")
def apply(everything: bool) -> None:
    """Write the waiting sign-ups where staff see them, in shuffled batches per round."""
    written = apply_sign_ups(everything=everything)
    click.echo(f"Sign-ups added: {written}. Still waiting for a batch: {waiting()}.")
