"""Matching an uploaded table's columns to what they hold: one rule for every import screen.

The contact import (app.outreach.contacts.importing) and the response import (surveys.imports)
both show the same screen (templates/_partials/column_mapping.html): a list of "what this column
holds" for each column, with examples from the first rows. What is shared:
- ``guess_columns``: a column is matched to a target when its name is the target's key or one of
  its synonyms, compared by ``app.core.text.fold`` ("First_Name", "first name" and "FIRST NAME"
  are the same). A target is guessed for one column only; the others are left to the person.
- ``with_remembered``: a file with the same column names (``spreadsheets.signature``) as one
  mapped before gets the choices made then, over the guesses. Each import keeps its own table
  of remembered mappings, since what a column can hold differs.
- ``posted_columns`` reads the form's ``col-<n>`` fields, and ``column_problem`` says what is
  wrong with a choice that every import refuses (a target not on the list, a target twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from app.core.text import fold


def guess_columns(
    headers: Iterable[str], targets: Iterable[str], synonyms: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{header: target key, or "" when nothing fits (or the target is guessed already)}.

    A header "KEY: words" (as the app's own exports write "Q2: Where do you live?") is
    guessed by its key."""
    known = {fold(word): target for word, target in (synonyms or {}).items()}
    known |= {fold(target): target for target in targets if target}
    found: dict[str, str] = {}
    for header in headers:
        target = known.get(fold(header), "") or known.get(fold(header.split(":", 1)[0]), "")
        found[header] = "" if target in found.values() else target
    return found


def with_remembered(
    guessed: dict[str, str], remembered: Mapping[str, str] | None
) -> dict[str, str]:
    """The guesses, overridden by the choices remembered for a file with the same columns."""
    return guessed | {h: t for h, t in (remembered or {}).items() if h in guessed}


def posted_columns(form: Mapping[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping screen's choices: field ``col-<n>`` for the n-th column (from 0)."""
    return {header: form.get(f"col-{i}", "") for i, header in enumerate(headers)}


def column_problem(
    columns: Mapping[str, str], allowed: Iterable[str], twice: Callable[[str], str]
) -> str | None:
    """What is wrong with a mapping, or None: ``twice(target)`` words a target chosen twice."""
    allowed = set(allowed)
    chosen = [t for t in columns.values() if t]
    for header, target in columns.items():
        if target not in allowed:
            return f"Choose what the column '{header}' holds from the list"
        if target and chosen.count(target) > 1:
            return twice(target)
    return None


def mapped_columns(headers: list[str], columns: Mapping[str, str]) -> dict[str, str]:
    """Every header with its target ("" for a column not imported), in the file's order."""
    return {header: columns.get(header, "") for header in headers}
