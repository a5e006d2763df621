"""`flask safeguarding screen FILE.csv`: screen a CSV of answers offline (e.g. paper returns).

Works without an application context, so it can also be run from a test or a script.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from surveys.safeguarding.screening import RuleError, load_rules, screen

safeguarding_cli = AppGroup("safeguarding", help="Safeguarding screening.")


@safeguarding_cli.command("screen", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the screened CSV here (default: standard output).",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A screening list in TOML (default: the shipped list).",
)
def screen_csv(file: Path, output: Path | None, rules_path: Path | None) -> None:
    """Screen the `answer` column of FILE.csv.

    Adds `flagged` (yes/no), `level` (likely/possible), `rules` (the rules and examples that
    matched) and `layers` (which layers raised them: rules, spelling, fuzzy, semantic).
    """
    try:
        rules = load_rules(rules_path)
    except (RuleError, OSError, ValueError) as exc:
        raise click.ClickException(f"Could not load the rules: {exc}") from exc
    with file.open(encoding="utf-8-sig", newline="") as src:
        reader = csv.DictReader(src)
        fields = list(reader.fieldnames or [])
        if "answer" not in fields:
            raise click.ClickException("The CSV needs a column called 'answer'.")
        out_fields = fields + [
            f for f in ("flagged", "level", "rules", "layers") if f not in fields
        ]
        dest = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        total = flagged = 0
        try:
            writer = csv.DictWriter(
                dest,
                fieldnames=out_fields,
                extrasaction="ignore",
                lineterminator="\n" if output is None else "\r\n",
            )
            writer.writeheader()
            for row in reader:
                result = screen(row.get("answer") or "", rules)
                row["flagged"] = "yes" if result.flagged else "no"
                row["level"] = result.level or ""
                row["rules"] = "|".join(result.rule_ids)
                row["layers"] = "|".join(result.layers)
                writer.writerow(row)
                total += 1
                flagged += result.flagged
        finally:
            if output:
                dest.close()
    click.echo(f"Screened {total} answers: {flagged} flagged.", err=True)
