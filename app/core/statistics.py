"""Disclosure control for published figures: one rule, used by every report and chart.

``suppress`` hides any count from 1 to 4 as "fewer than 5" (UK official statistics practice),
so nobody in a small group can be singled out. Zero is shown: it reveals nobody.

``suppress_secondary`` adds the second step: if exactly one cell in a row is hidden and the row's
total is published, the hidden value could be worked out by subtraction. So the next smallest
cell is hidden too (shown as "hidden", so readers can tell it is not itself small).

``suppress_table`` does both steps for a table with totals (e.g. answers by age band, with a
total for each answer and for each age band, as the board's dashboard and pack show). Every row
and every column, with its total, is a line that adds up; a line in which exactly one cell is
hidden gives that cell away by subtraction, so the smallest other non-zero cell in that line is
hidden too, and the check repeats until no line has exactly one hidden cell. Filtered views
(one age band) show one column of the same suppressed table, so comparing the filtered and
unfiltered pages cannot undo the suppression either.

Counts are of people (respondents), never of answers, so one person cannot be counted twice.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import TypeIs

THRESHOLD = 5
HIDDEN = "hidden"


def fewer_than(threshold: int = THRESHOLD) -> str:
    return f"fewer than {threshold}"


def is_small(count: int | None, threshold: int = THRESHOLD) -> bool:
    return count is not None and 0 < count < threshold


def suppress(counts, threshold: int = THRESHOLD):
    """Counts as they may be shown: each 1 to threshold-1 becomes "fewer than 5".

    Takes a mapping (returns a dict with the same keys), a sequence (returns a list) or one
    number (returns one value).
    """
    if isinstance(counts, Mapping):
        return {key: suppress(value, threshold) for key, value in counts.items()}
    if isinstance(counts, Sequence) and not isinstance(counts, str):
        return [suppress(value, threshold) for value in counts]
    return fewer_than(threshold) if is_small(counts, threshold) else counts


def suppress_secondary(
    counts: Mapping[Hashable, int], threshold: int = THRESHOLD
) -> dict[Hashable, int | str]:
    """Primary suppression, then hide the next smallest cell when only one cell is hidden.

    Use it for a row whose total is shown beside it (a table of shares of a known total).
    """
    shown: dict[Hashable, int | str] = dict(suppress(dict(counts), threshold))
    hidden = [key for key, value in shown.items() if isinstance(value, str)]
    if len(hidden) == 1:
        others = [(v, str(k), k) for k, v in counts.items() if k not in hidden and v > 0]
        if others:
            shown[min(others)[2]] = HIDDEN
    return shown


def is_suppressed(value: object) -> TypeIs[str]:
    return isinstance(value, str)


TOTAL = "Total"


@dataclass
class SuppressedTable:
    """A table of counts as it may be published: cells, row totals, column totals, grand total.

    Values are ints, "fewer than 5" (primary) or "hidden" (secondary). ``rows`` and ``columns``
    keep the order they were given in.
    """

    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[tuple[Hashable, Hashable], int | str]
    row_totals: dict[Hashable, int | str]
    column_totals: dict[Hashable, int | str]
    total: int | str

    def cell(self, row: Hashable, column: Hashable | None = None) -> int | str:
        """One cell; ``column`` None means the row's total."""
        return self.row_totals[row] if column is None else self.cells[(row, column)]

    def column(self, column: Hashable | None = None) -> dict[Hashable, int | str]:
        """One column as {row: value} (None: the row totals)."""
        return {row: self.cell(row, column) for row in self.rows}

    def column_total(self, column: Hashable | None = None) -> int | str:
        return self.total if column is None else self.column_totals[column]

    @property
    def hidden_count(self) -> int:
        values = [*self.cells.values(), *self.row_totals.values(), *self.column_totals.values()]
        return sum(1 for v in [*values, self.total] if is_suppressed(v))


def suppress_table(
    # Any hashable labels (a Mapping's key type is invariant: Hashable would refuse dict[str, ...])
    counts: Mapping[Any, Mapping[Any, int]],
    columns: Sequence[Hashable],
    threshold: int = THRESHOLD,
    *,
    rows_add_up: bool = True,
) -> SuppressedTable:
    """Primary and secondary suppression of ``counts[row][column]`` with all its totals.

    ``columns`` fixes the columns (a row may leave some out: they count as 0). Set
    ``rows_add_up`` False when one person can be in several rows (themes, multiple choice):
    then a column's cells do not add up to anything published, only the row totals are lines,
    and column totals are not meaningful (they are sums of mentions, not of people).
    """
    rows = list(counts)
    columns = list(columns)
    raw: dict[tuple, int] = {}
    for row in rows:
        for column in columns:
            raw[(row, column)] = int(counts[row].get(column, 0))
    for row in rows:
        raw[(row, TOTAL)] = sum(raw[(row, c)] for c in columns)
    for column in [*columns, TOTAL]:
        raw[(TOTAL, column)] = sum(raw[(r, column)] for r in rows)

    hidden = {key: HIDDEN for key, value in raw.items() if is_small(value, threshold)}
    primary = set(hidden)
    lines = [[(r, c) for c in [*columns, TOTAL]] for r in rows]
    if rows_add_up:
        lines.append([(TOTAL, c) for c in [*columns, TOTAL]])
        lines += [[(r, c) for r in [*rows, TOTAL]] for c in [*columns, TOTAL]]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for key in line if key in hidden) != 1:
                continue
            parts = [k for k in line[:-1] if k not in hidden and raw[k] > 0]
            # Prefer an inner cell over a total, then the smallest.
            parts.sort(key=lambda k: (TOTAL in k, raw[k], str(k)))
            candidates = parts or [k for k in line if k not in hidden and raw[k] > 0]
            if candidates:
                hidden[candidates[0]] = HIDDEN
                changed = True

    def shown(key) -> int | str:
        if key in primary:
            return fewer_than(threshold)
        return HIDDEN if key in hidden else raw[key]

    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells={(r, c): shown((r, c)) for r in rows for c in columns},
        row_totals={r: shown((r, TOTAL)) for r in rows},
        column_totals={c: shown((TOTAL, c)) for c in columns},
        total=shown((TOTAL, TOTAL)),
    )


def share(value: int | str, base: int | str) -> float | None:
    """A published count as a percentage of a published base; None when either is hidden."""
    if is_suppressed(value) or is_suppressed(base) or not base:
        return None
    return 100 * int(value) / int(base)
