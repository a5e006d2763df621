"""`flask sms parse FILE.tsv`: read a file of SMS replies as the SMS channel would, offline.

The file is tab-separated with a header row and at least the columns ``question`` (Q1 to Q12 of
the 2015 questionnaire) and ``reply``; a literal ``\\n`` in a reply means a new line. Every row is
written back (extra columns kept, in order) with a ``read_as`` column added: see
``surveys.sms.parsing.read_as``. If the file has an ``expected`` column, the command also says how
many replies were read as expected, so the parser can be measured on any set of replies.

Works without an application context or a database: the questions come from the questionnaire's
TOML file.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import click
from flask.cli import AppGroup

from surveys.sms.parsing import read_as, read_reply
from surveys.sms.services import expire

DEFAULT_QUESTIONNAIRE = (
    Path(__file__).resolve().parent.parent / "questionnaires" / "new-belongings-2015.toml"
)

sms_cli = AppGroup("sms", help="The SMS channel: read replies offline.")


@dataclass(frozen=True)
class SmsQuestion:
    """A question from a questionnaire file: enough for ``read_reply`` and ``engine.validate``."""

    code: str
    kind: str
    options: list[dict[str, Any]] = field(default_factory=list)
    max_items: int = 3
    sms_text: str = ""
    hint: str = ""

    @property
    def kind_enum(self) -> str:
        # QuestionKind is a StrEnum, so the engine's comparisons work with the plain string.
        return self.kind


def load_questions(path: Path | None = None) -> dict[str, SmsQuestion]:
    """The questions of a questionnaire TOML file, by code (``"Q1"``)."""
    with (path or DEFAULT_QUESTIONNAIRE).open("rb") as f:
        data = tomllib.load(f)
    questions: dict[str, SmsQuestion] = {}
    for item in data.get("questions", []):
        question = SmsQuestion(
            code=str(item["code"]),
            kind=str(item["kind"]),
            options=[dict(o) for o in item.get("options", [])],
            max_items=int(item.get("max_items", 3)),
            sms_text=str(item.get("sms_text", "")),
            hint=str(item.get("hint", "")),
        )
        questions[question.code.upper()] = question
    return questions


def _question_code(value: str) -> str:
    code = value.strip().upper()
    if code.isdigit():
        code = f"Q{int(code)}"
    elif code.startswith("Q") and code[1:].isdigit():
        code = f"Q{int(code[1:])}"
    return code


def _rows(src: TextIO) -> list[list[str]]:
    text = src.read().replace("\r\n", "\n").replace("\r", "\n")
    return [line.split("\t") for line in text.split("\n") if line.strip()]


def _field(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


@sms_cli.command("parse", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the TSV here (default: standard output).",
)
@click.option(
    "--questionnaire",
    "questionnaire_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A questionnaire TOML file (default: the built-in 2015 questionnaire).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read dates of birth as if today were this date (YYYY-MM-DD).",
)
def parse_tsv(file: Path, output: Path | None, questionnaire_path: Path | None, today: Any) -> None:
    """Read the `reply` column of FILE.tsv as answers to `question`; add a `read_as` column."""
    try:
        questions = load_questions(questionnaire_path)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise click.ClickException(f"Could not load the questionnaire: {exc}") from exc
    on: date | None = today.date() if today else None
    try:
        with file.open(encoding="utf-8-sig", newline="") as src:
            rows = _rows(src)
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text: {exc}") from exc
    if not rows:
        raise click.ClickException("The file is empty: it needs a header row.")
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    if "question" not in lowered or "reply" not in lowered:
        raise click.ClickException("The file needs columns called 'question' and 'reply'.")
    q_col, r_col = lowered.index("question"), lowered.index("reply")
    if "read_as" in lowered:
        out_col = lowered.index("read_as")
        out_header = header
    else:
        out_col = len(header)
        out_header = [*header, "read_as"]
    expected_col = lowered.index("expected") if "expected" in lowered else None

    dest = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    counts: Counter[str] = Counter()
    matched = compared = 0
    try:
        dest.write("\t".join(out_header) + "\n")
        for number, cells in enumerate(rows[1:], start=2):
            cells = cells + [""] * (len(out_header) - len(cells))
            code = _question_code(cells[q_col])
            question = questions.get(code)
            if question is None:
                click.echo(f"Line {number}: no question {cells[q_col]!r}; left blank.", err=True)
                value = ""
            else:
                reply = cells[r_col].replace("\\n", "\n")
                value = read_as(read_reply(question, reply, today=on))
                counts[value if value in _COMMANDS else "ANSWER"] += 1
            cells[out_col] = value
            if expected_col is not None and question is not None:
                compared += 1
                matched += cells[expected_col].strip() == value
            dest.write("\t".join(_field(c) for c in cells) + "\n")
    finally:
        if output:
            dest.close()
    total = sum(counts.values())
    summary = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    click.echo(f"Read {total} replies: {summary or 'none'}.", err=True)
    if compared:
        click.echo(
            f"{matched} of {compared} read as expected ({100 * matched / compared:.1f}%).",
            err=True,
        )


_COMMANDS = frozenset({"SKIP", "STOP", "START", "HELP", "BACK", "ASK_AGAIN"})


@sms_cli.command("expire")
def expire_command() -> None:
    """End idle conversations (deleting their link to answers) and clear old replies."""
    ended, cleared = expire()
    click.echo(f"Ended {ended} idle conversations; cleared {cleared} kept replies.")
