"""`flask themes suggest FILE.csv`: suggested themes for any set of answers, to measure them.

The CSV needs a column ``answer``; every other column is kept (put your agreed themes in one to
compare). Output has three more columns, ``theme_1`` to ``theme_3`` (top-level theme names,
best first), and ``why``. Suggestions use the codebook and learning of the round named with
--round, else of the latest round with a codebook, else the starter codebook alone.
"""

from __future__ import annotations

import csv
import sys
import time

import click
from flask.cli import AppGroup

from surveys.themes.services import ThemesError, suggest_file

themes_cli = AppGroup("themes", help="Themes and coding of free-text answers.")


@themes_cli.command("suggest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_slug", default="", help="Slug of the round whose learning to use.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here, not stdout.")
def suggest(file: str, round_slug: str, output: str | None) -> None:
    """Write each answer in FILE (column 'answer') with its top 3 suggested themes."""
    with open(file, newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        if "answer" not in (reader.fieldnames or []):
            raise click.ClickException("The file needs a column called 'answer'.")
        rows = list(reader)
    started = time.perf_counter()
    try:
        result = suggest_file(rows, round_slug)
    except ThemesError as exc:
        raise click.ClickException(str(exc)) from exc
    took = time.perf_counter() - started
    fields = [*(reader.fieldnames or []), "theme_1", "theme_2", "theme_3", "why"]
    handle = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(result)
    finally:
        if output:
            handle.close()
    per = 1000 * took / max(len(rows), 1)
    click.echo(f"{len(rows)} answers, {per:.2f} ms each", err=True)
