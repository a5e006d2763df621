"""`flask benchmark export ROUND [--out FILE]`, `flask benchmark import FILE` and
`flask benchmark new-key` (a signing key for BENCHMARK_SIGNING_KEY)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.board.benchmark import services, signing
from surveys.services import round_by_slug

benchmark_cli = AppGroup("benchmark", help="Compare with other councils (signed aggregate files).")


@benchmark_cli.command("export")
@click.argument("round_slug")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_command(round_slug: str, out: Path | None) -> None:
    """Write ROUND_SLUG's signed benchmarking file (default: a name with the round and date)."""
    survey_round = round_by_slug(round_slug)
    if survey_round is None:
        raise click.ClickException(f"There is no round called {round_slug}")
    try:
        name, body = services.export_file(survey_round)
    except services.BenchmarkRefused as error:
        raise click.ClickException(str(error)) from error
    path = out or Path(name)
    path.write_bytes(body)
    click.echo(f"Wrote {path} ({len(body)} bytes), signed by {services.fingerprint_of(body)}")


@benchmark_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Check FILE (signature, format, questionnaire) and store its figures."""
    try:
        stored = services.import_file(file.read_bytes())
    except services.BenchmarkRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Imported {services.describe(stored)}")


@benchmark_cli.command("new-key")
def new_key_command() -> None:
    """Print a new private key for BENCHMARK_SIGNING_KEY (keep it secret, and keep it)."""
    click.echo(signing.new_key())
