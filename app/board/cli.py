"""`flask board pack ROUND [--band "18 to 20"]`: make a board pack now, in the foreground."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.board import pack
from surveys.services import round_by_slug

board_cli = AppGroup("board", help="The corporate parenting board.")


@board_cli.command("pack")
@click.argument("round_slug")
@click.option("--band", default="", help='An age band, e.g. "18 to 20" (default: all ages)')
def pack_command(round_slug: str, band: str) -> None:
    """Make the board pack for ROUND_SLUG (e.g. nb2026) in the foreground."""
    survey_round = round_by_slug(round_slug)
    if survey_round is None:
        raise click.ClickException(f"There is no round called {round_slug}")
    job, created = pack.request_pack(survey_round, band)
    if not created:
        raise click.ClickException(f"This pack is already being made (pack {job.id})")
    done = pack.build_pack(job.id)
    assert done is not None  # made just above, in this process
    if done.status != "done":
        raise click.ClickException(f"The pack could not be made: {done.stage}")
    click.echo(f"Board pack {done.id} made: {done.pdf_size} bytes of PDF")
