"""Disclosure control: every aggregate any role sees goes through this one module.

The rule (also the board pack's method note, ``METHOD_NOTE``), after the Government Statistical
Service's guidance on disclosure control for small counts:

1. Primary suppression. A count of people from 1 to THRESHOLD-1 (1 to 4 by default, the setting
   ``DISCLOSURE_THRESHOLD``) is not shown: it reads "fewer than 5". Zero is shown; it singles
   nobody out. Only these cells say "fewer than 5".
2. Secondary suppression. Figures a role sees together are tied by sums: a row adds up to its
   total, bands add up to everyone, one question's answers add up to the people who responded,
   a theme cannot have more people than were coded. So a hidden cell could be worked out by
   subtraction. We treat everything one role can see together (all tables, filters, bands,
   charts and their data tables, totals) as one ``Publication``, and ask a solver (HiGHS, via
   scipy.optimize.milp) the attacker's question for every hidden cell: given every published
   number, every sum, that counts are whole numbers, that a "fewer than 5" cell is 0 to 4 and a
   "hidden to protect privacy" cell is 0 or 5 and over, what are the smallest and largest values it
   could have? A cell is protected when the largest minus the smallest is at least PROTECTION
   (3 by default, ``DISCLOSURE_PROTECTION``): at least four values stay possible, so no
   hidden cell is pinned, and "fewer than 5" is never narrowed to one number.
   (A zero may read "fewer than 5" too, when that is the only way to protect its neighbours,
   e.g. four cells of 1 in a line whose total is 4; the label stays true.)
   When a cell is not protected, the solver chooses which further cells to hide: the cheapest
   set (fewest people's worth of figures, inner cells before totals, the grand total last) for
   which two complete tables agree with everything published but differ in that cell by at
   least PROTECTION. That repeats until the audit passes. These cells read "hidden to protect
   privacy" (``HIDDEN``) when they are 5 or more, "fewer than 5" when they are 0, so each
   label always means what it says.
3. Differencing over time is stopped by snapshots (app.board), not here: figures shown to the
   board move only in steps of at least 5 new responses.

Counts are of people (respondents), never of answers, so one person cannot be counted twice.
``protect`` is deterministic: the same figures give the same hidden cells, so reloading a page
or rebuilding a pack never shows a different pattern.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar

from flask import current_app, has_app_context

if TYPE_CHECKING:
    from typing_extensions import TypeIs

logger = logging.getLogger(__name__)

THRESHOLD = 5
PROTECTION = 3
HIDDEN = "hidden to protect privacy"
TOTAL = "Total"
KEY = (
    "\u201cFewer than 5\u201d means 0 to 4 people. \u201cHidden to protect privacy\u201d means "
    "5 or more people, hidden so that a small number elsewhere cannot be worked out by "
    "subtraction."
)


def threshold() -> int:
    """The smallest count that may be shown (the setting DISCLOSURE_THRESHOLD, 5 by default)."""
    if has_app_context():
        return int(current_app.config.get("DISCLOSURE_THRESHOLD", THRESHOLD))
    return THRESHOLD


def protection() -> int:
    if has_app_context():
        return int(current_app.config.get("DISCLOSURE_PROTECTION", PROTECTION))
    return PROTECTION


def method_note() -> str:
    low = threshold()
    return (
        f"Counts of 1 to {low - 1} people are shown as \u201cfewer than {low}\u201d, following "
        "the Government Statistical Service\u2019s guidance on disclosure control, so nobody "
        "in a small group can be singled out; a few zeros are shown that way too, so that a "
        f"\u201cfewer than {low}\u201d cannot be pinned down by counting. Some larger "
        "counts are \u201chidden to protect "
        "privacy\u201d: without that, a small number could be worked out by subtracting the "
        "others from a total. A solver checks every figure in this pack, the dashboard and its "
        "filters together, and each hidden number could still be any of at least "
        f"{protection() + 1} values. Figures are as at a snapshot that moves only when at "
        f"least {snapshot_step()} more care leavers have answered, or when the round closes."
    )


def snapshot_step() -> int:
    if has_app_context():
        return int(current_app.config.get("DISCLOSURE_SNAPSHOT_STEP", THRESHOLD))
    return THRESHOLD


def fewer_than(low: int | None = None) -> str:
    return f"fewer than {low or threshold()}"


def is_small(count: int | None, low: int | None = None) -> bool:
    return count is not None and 0 < count < (low or threshold())


def is_suppressed(value: object) -> TypeIs[str]:
    return isinstance(value, str)


def is_primary(value: object) -> bool:
    return isinstance(value, str) and value.startswith("fewer than")


def suppress(counts, low: int | None = None):
    """Primary suppression only, for a figure that is tied to nothing else published (a lone
    count such as forum members). Tables use ``Publication`` or ``suppress_table``."""
    if isinstance(counts, Mapping):
        return {key: suppress(value, low) for key, value in counts.items()}
    if isinstance(counts, Sequence) and not isinstance(counts, str):
        return [suppress(value, low) for value in counts]
    return fewer_than(low) if is_small(counts, low) else counts


def share(value: int | str, base: int | str) -> float | None:
    """A published count as a percentage of a published base; None when either is hidden."""
    if is_suppressed(value) or is_suppressed(base) or not base:
        return None
    return 100 * int(value) / int(base)


# --- Everything one role sees together --------------------------------------------------------


@cache
def _solver() -> SimpleNamespace:
    """numpy and scipy's MILP solver, loaded the first time a publication is protected.

    Imported here rather than at the top of the module: scipy costs about 75 MB and 1.5 s, and the
    survey pages and the send worker never protect a table."""
    import numpy  # lazy on purpose (memory): see the docstring
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import hstack, lil_matrix

    return SimpleNamespace(
        np=numpy,
        Bounds=Bounds,
        LinearConstraint=LinearConstraint,
        milp=milp,
        hstack=hstack,
        lil_matrix=lil_matrix,
    )


@dataclass
class Publication:
    """Figures published together and the sums that tie them; ``protect`` hides what must be.

    Keys are any hashable; the same key in two tables is the same figure (a band's number of
    people is the column total of every question's table).
    """

    # Keys are tuples of labels in practice; Any keeps callers' tuple types usable.
    values: dict[Any, int] = field(default_factory=dict)
    costs: dict[Hashable, float] = field(default_factory=dict)
    sums: list[tuple[list[Any], Any]] = field(default_factory=list)
    limits: list[tuple[Any, Any]] = field(default_factory=list)
    # Figures published before (an earlier snapshot): their labels cannot change now, but the
    # audit counts them, so a new snapshot cannot undo an old one by subtraction.
    fixed: dict[Hashable, str] = field(default_factory=dict)
    secondary: ClassVar[bool] = True  # off only to show the attacker test fails without it

    def add(self, key: Hashable, value: int, cost: float = 1.0) -> Hashable:
        if key in self.values and self.values[key] != int(value):
            raise ValueError(f"{key!r} published twice with different values")
        self.values[key] = int(value)
        self.costs[key] = max(cost, self.costs.get(key, 0.0))
        return key

    def earlier(self, key: Hashable, value: int, shown: int | str) -> None:
        """A figure from an earlier publication, with what it showed then."""
        self.add(key, value)
        self.fixed[key] = (
            "primary" if is_primary(shown) else "secondary" if is_suppressed(shown) else "shown"
        )

    def link(
        self, other: Publication, shown: Protected, prefix: Hashable
    ) -> Callable[[Hashable], tuple]:
        """Another page's figures, exactly as it shows them, with every sum that ties them.

        For a page the same people see beside this one that is protected on its own (a lower
        layer's page, which cannot know about this one). Its figures are fixed, like an earlier
        snapshot's, and its hidden cells are audited with everything here, so ``protect`` hides
        what it must on this side and the two pages together pin nothing. Returns the function
        that names one of its figures here, for the sums that tie the two pages."""

        def key(name: Hashable) -> tuple:
            return (prefix, name)

        for name, value in other.values.items():
            self.earlier(key(name), value, shown[name])
        for parts, total in other.sums:
            self.adds_up([key(p) for p in parts], key(total))
        for part, whole in other.limits:
            self.within(key(part), key(whole))
        return key

    def adds_up(self, parts: Iterable[Hashable], total: Hashable) -> None:
        """The parts sum to the total (all keys already added)."""
        self.sums.append((list(parts), total))

    def within(self, part: Hashable, whole: Hashable) -> None:
        """The part cannot be larger than the whole (a theme's people within those coded)."""
        self.limits.append((part, whole))

    def table(
        self,
        name: Hashable,
        counts: Mapping[Any, Mapping[Any, int]],
        columns: Sequence[Hashable],
        *,
        rows_add_up: bool = True,
        column_totals: Mapping[Any, Any] | None = None,
        total: Hashable | None = None,
    ) -> TableKeys:
        """Add a rows-by-columns table with its totals; return where each figure lives.

        ``column_totals``/``total`` name figures shared with other tables (the people in each
        band). With ``rows_add_up`` False one person can be in several rows (themes, multiple
        choice): rows do not add up, each cell is within its column's total.
        """
        rows = list(counts)
        keys = TableKeys(name, rows, list(columns), column_totals or {}, total)
        grand = 0
        for row in rows:
            for column in columns:
                self.add(keys.cell(row, column), int(counts[row].get(column, 0)))
            row_sum = sum(int(counts[row].get(c, 0)) for c in columns)
            self.add(keys.cell(row, None), row_sum, cost=3.0)
            self.adds_up([keys.cell(row, c) for c in columns], keys.cell(row, None))
            grand += row_sum
        if rows_add_up:
            for column in columns:
                col_sum = sum(int(counts[r].get(column, 0)) for r in rows)
                self.add(keys.column_total(column), col_sum, cost=5.0)
                self.adds_up([keys.cell(r, column) for r in rows], keys.column_total(column))
            self.add(keys.column_total(None), grand, cost=50.0)
            self.adds_up([keys.cell(r, None) for r in rows], keys.column_total(None))
            self.adds_up([keys.column_total(c) for c in columns], keys.column_total(None))
        else:
            for row in rows:
                for column in [*columns, None]:
                    if keys.column_total(column) in self.values:
                        self.within(keys.cell(row, column), keys.column_total(column))
        return keys

    def protect(self) -> Protected:
        low, width = threshold(), protection()
        primary = {k for k, v in self.values.items() if 0 < v < low and k not in self.fixed}
        primary |= {k for k, status in self.fixed.items() if status == "primary"}
        secondary = {k for k, status in self.fixed.items() if status == "secondary"}
        if self.secondary:
            # Hiding more can only widen a range, so a cell found safe stays safe: each hidden
            # cell is audited once, and again only after extra cells were chosen for it.
            queue = sorted(primary | secondary, key=repr)
            while queue:
                key = queue.pop(0)
                if self._safe(key, primary, secondary, low, width):
                    continue
                extra = self._choose(key, primary, secondary, low, width)
                if not extra:
                    # No choice of a few extra figures protects it: hide every figure that can
                    # still be hidden (the page then shows less, never a cell worked out, and
                    # never an error). Only figures published before can still pin it.
                    rest = {
                        k for k in self.values if k not in primary | secondary | set(self.fixed)
                    }
                    primary |= {k for k in rest if self.values[k] < low}
                    secondary |= {k for k in rest if self.values[k] >= low}
                    if not self._safe(key, primary, secondary, low, width):
                        logger.warning("disclosure: a figure is pinned by earlier publications")
                    break
                primary |= {k for k in extra if self.values[k] == 0}
                secondary |= {k for k in extra if self.values[k] > 0}
                queue = [key, *sorted(extra, key=repr), *queue]
        shown: dict[Hashable, int | str] = {}
        for key, value in self.values.items():
            if key in primary:
                shown[key] = fewer_than(low)
            elif key in secondary:
                shown[key] = HIDDEN
            else:
                shown[key] = value
        return Protected(shown)

    # The attacker's model, shared by the audit and the choice of extra cells.
    def _model(self):
        sp = _solver()
        keys = list(self.values)
        index = {k: i for i, k in enumerate(keys)}
        rows = len(self.sums) + len(self.limits)
        matrix = sp.lil_matrix((rows, len(keys)))
        for r, (parts, total) in enumerate(self.sums):
            for part in parts:
                matrix[r, index[part]] += 1
            matrix[r, index[total]] -= 1
        for r, (part, whole) in enumerate(self.limits, start=len(self.sums)):
            matrix[r, index[part]] += 1
            matrix[r, index[whole]] -= 1
        lower = sp.np.array([0.0] * len(self.sums) + [-sp.np.inf] * len(self.limits))
        upper = sp.np.zeros(rows)
        return keys, index, matrix.tocsr(), lower, upper

    def _ceiling(self, low: int) -> float:
        return float(sum(self.values.values()) + PROTECTION + low + 1)

    def _bounds(self, keys, primary, secondary, low):
        """Each figure's range as the attacker knows it: a shown figure is itself, "fewer than
        5" is 0 to 4 (a zero may be hidden too), "hidden to protect privacy" is 5 and over."""
        sp = _solver()
        lb = sp.np.empty(len(keys))
        ub = sp.np.empty(len(keys))
        for i, key in enumerate(keys):
            if key in primary:
                lb[i], ub[i] = 0, low - 1
            elif key in secondary:
                lb[i], ub[i] = low, self._ceiling(low)
            else:
                lb[i] = ub[i] = self.values[key]
        return lb, ub

    def ranges(
        self,
        primary: set[Hashable],
        secondary: set[Hashable],
        low: int | None = None,
        only: Iterable[Hashable] | None = None,
    ) -> dict[Hashable, tuple[int | None, int | None]]:
        """For each hidden figure, the smallest and largest whole value the published figures
        allow (the audit)."""
        sp = _solver()
        low = low or threshold()
        keys, index, matrix, lower, upper = self._model()
        lb, ub = self._bounds(keys, primary, secondary, low)
        constraints = [sp.LinearConstraint(matrix, lower, upper)] if matrix.shape[0] else []
        found = {}
        for key in only if only is not None else sorted(primary | secondary, key=repr):
            c = sp.np.zeros(len(keys))
            c[index[key]] = 1
            ends = []
            for sign in (1, -1):
                result = sp.milp(
                    sign * c, constraints=constraints, bounds=sp.Bounds(lb, ub), integrality=1
                )
                ends.append(round(sign * result.fun) if result.success else None)
            found[key] = (ends[0], ends[1])
        return found

    def _safe(self, key, primary, secondary, low, width) -> bool:
        smallest, largest = self.ranges(primary, secondary, low, only=[key])[key]
        return smallest is not None and largest is not None and largest - smallest >= width

    def _choose(self, exposed, primary, secondary, low, width) -> set[Hashable]:
        """The cheapest published figures to hide so that ``exposed`` can move by ``width``.

        Variables: y (hide this figure?) for each candidate, then two complete tables (x_up,
        x_down) that both satisfy every sum, agree with every figure still shown, and differ in
        the exposed cell by at least ``width``. A zero chosen reads "fewer than 5" (0 to 4);
        a count of 5 or more chosen reads "hidden to protect privacy" (5 and over).
        """
        sp = _solver()
        keys, index, matrix, lower, upper = self._model()
        n = len(keys)
        hidden = primary | secondary
        candidates = [
            k
            for k in keys
            if k not in hidden
            and k not in self.fixed
            and (self.values[k] == 0 or self.values[k] >= low)
        ]
        cand = {k: j for j, k in enumerate(candidates)}
        m = len(candidates)
        big = self._ceiling(low)
        zeros = {k for k in candidates if self.values[k] == 0}
        lb, ub = self._bounds(keys, primary | zeros, secondary | (set(candidates) - zeros), low)
        total_vars = m + 2 * n
        blocks = []
        empty = sp.lil_matrix((matrix.shape[0], m))
        for copy in range(2):
            parts = [empty] + [
                matrix if c == copy else sp.lil_matrix(matrix.shape) for c in range(2)
            ]
            blocks.append(sp.LinearConstraint(sp.hstack(parts).tocsr(), lower, upper))
        link = sp.lil_matrix((4 * m + 1, total_vars))
        link_lb = sp.np.full(4 * m + 1, -sp.np.inf)
        link_ub = sp.np.zeros(4 * m + 1)
        row = 0
        for k, j in cand.items():
            for copy in range(2):
                col = m + copy * n + index[k]
                # x - big*y <= value and -x - big*y <= -value: x may leave its value only if y.
                link[row, col], link[row, j] = 1, -big
                link_ub[row] = self.values[k]
                link[row + 1, col], link[row + 1, j] = -1, -big
                link_ub[row + 1] = -self.values[k]
                row += 2
        link[row, m + index[exposed]] = 1
        link[row, m + n + index[exposed]] = -1
        link_lb[row], link_ub[row] = width, sp.np.inf
        blocks.append(sp.LinearConstraint(link.tocsr(), link_lb, link_ub))
        cost = sp.np.zeros(total_vars)
        for k, j in cand.items():
            cost[j] = self.costs[k] * (1 + self.values[k] / big)
        all_lb = sp.np.concatenate([sp.np.zeros(m), lb, lb])
        all_ub = sp.np.concatenate([sp.np.ones(m), ub, ub])
        result = sp.milp(cost, constraints=blocks, bounds=sp.Bounds(all_lb, all_ub), integrality=1)
        if not result.success:
            return set()
        return {k for k, j in cand.items() if result.x[j] > 0.5}


@dataclass
class Protected:
    """What may be shown: each figure's int, "fewer than 5" or "hidden to protect privacy"."""

    shown: dict[Hashable, int | str]

    def __getitem__(self, key: Hashable) -> int | str:
        return self.shown[key]

    @property
    def hidden(self) -> list[Hashable]:
        return [k for k, v in self.shown.items() if is_suppressed(v)]


@dataclass
class TableKeys:
    name: Hashable
    rows: list[Hashable]
    columns: list[Hashable]
    shared_columns: Mapping[Hashable, Hashable]
    shared_total: Hashable | None

    def cell(self, row: Hashable, column: Hashable | None) -> Hashable:
        return (self.name, row, TOTAL if column is None else column)

    def column_total(self, column: Hashable | None) -> Hashable:
        if column is None:
            return self.shared_total or (self.name, TOTAL, TOTAL)
        return self.shared_columns.get(column) or (self.name, TOTAL, column)

    def published(self, protected: Protected) -> SuppressedTable:
        def get(key):
            return protected.shown.get(key, 0)

        return SuppressedTable(
            rows=self.rows,
            columns=self.columns,
            cells={(r, c): get(self.cell(r, c)) for r in self.rows for c in self.columns},
            row_totals={r: get(self.cell(r, None)) for r in self.rows},
            column_totals={c: get(self.column_total(c)) for c in self.columns},
            total=get(self.column_total(None)),
        )


@dataclass
class SuppressedTable:
    """A table of counts as it may be published: cells, row totals, column totals, grand total.

    Values are ints, "fewer than 5" (primary) or "hidden to protect privacy" (secondary).
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
        return {row: self.cell(row, column) for row in self.rows}

    def column_total(self, column: Hashable | None = None) -> int | str:
        return self.total if column is None else self.column_totals[column]

    @property
    def hidden_count(self) -> int:
        values = [*self.cells.values(), *self.row_totals.values(), *self.column_totals.values()]
        return sum(1 for v in [*values, self.total] if is_suppressed(v))

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "cells": [[r, c, v] for (r, c), v in self.cells.items()],
            "row_totals": [[r, v] for r, v in self.row_totals.items()],
            "column_totals": [[c, v] for c, v in self.column_totals.items()],
            "total": self.total,
        }

    @classmethod
    def from_json(cls, data: dict) -> SuppressedTable:
        return cls(
            rows=list(data["rows"]),
            columns=list(data["columns"]),
            cells={(r, c): v for r, c, v in data["cells"]},
            row_totals={r: v for r, v in data["row_totals"]},
            column_totals={c: v for c, v in data["column_totals"]},
            total=data["total"],
        )


def suppress_table(
    counts: Mapping[Any, Mapping[Any, int]],
    columns: Sequence[Hashable],
    *,
    rows_add_up: bool = True,
) -> SuppressedTable:
    """One table on its own, protected with all its totals (a page that shows nothing else)."""
    publication = Publication()
    keys = publication.table("table", counts, columns, rows_add_up=rows_add_up)
    return keys.published(publication.protect())


def certainly_largest(
    top: int, line: Sequence[int | str], base: int | str | None, *, adds_up: bool = True
) -> bool:
    """Whether a shown count ``top`` is surely larger than every hidden count in its ``line``.

    A takeaway or ranking may name the biggest category only then. A "fewer than 5" cell is at
    most 4; a cell "hidden to protect privacy" is at most what the line's published total
    leaves over (and unknown when the cells do not add up to a published total).
    """
    hidden = [v for v in line if is_suppressed(v)]
    low = threshold()
    if not hidden:
        return True
    if all(is_primary(v) for v in hidden):
        return top >= low
    if not adds_up or base is None or is_suppressed(base):
        return False
    floors = [1 if is_primary(v) else low for v in hidden]
    room = int(base) - sum(int(v) for v in line if not is_suppressed(v)) - sum(floors)
    return top > max(floors) + room
