"""Helpers for the outcome tests: store figures directly, and read a page's tables as text."""

from __future__ import annotations

import html
import math
import re

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from app.board.outcomes.models import OutcomeFigure
from app.core.extensions import db

TAGS = re.compile(r"<[^>]+>")
GROUPS = ["17-18", "19-21", "all"]
MEASURES = ["in_touch", "eet", "suitable_accommodation"]
MEASURE_CAPTIONS = {
    "in_touch": "In touch with the council",
    "eet": "In education, employment or training",
    "suitable_accommodation": "In suitable accommodation",
}
COHORT_CAPTION = "Care leavers in each year's cohort"


def store(app, figures: dict[int, dict[str, tuple[int, int, int, int]]]) -> None:
    """{year: {"17-18": (cohort, in touch, EET, suitable accommodation), ...}}"""
    with app.app_context():
        for year, groups in figures.items():
            for age_group, (cohort, in_touch, eet, accommodation) in groups.items():
                db.session.add(
                    OutcomeFigure(
                        year=year,
                        age_group=age_group,
                        cohort=cohort,
                        in_touch=in_touch,
                        eet=eet,
                        suitable_accommodation=accommodation,
                    )
                )
        db.session.commit()


def text(fragment: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", fragment)).split())


def _caption(fragment: str) -> str:
    found = re.search(r"<caption[^>]*>(.*?)</caption>", fragment, re.S)
    return text(found.group(1)) if found else ""


def table(page: str, table_id: str = "", caption: str = "") -> list[list[str]]:
    """The rows of the table with this id, or whose caption starts with ``caption`` (header
    row first), each cell as plain text."""
    if table_id:
        found = re.search(rf'<table[^>]*id="{re.escape(table_id)}"[^>]*>(.*?)</table>', page, re.S)
    else:
        tables = re.finditer(r"<table[^>]*>(.*?)</table>", page, re.S)
        found = next((m for m in tables if _caption(m.group(1)).startswith(caption)), None)
    assert found, f"no table {table_id or caption}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def _bounds_of(cell: str, high: int) -> tuple[int, int]:
    if cell.isdigit():
        return int(cell), int(cell)
    if cell.startswith("fewer than"):
        return 0, 4
    if cell.startswith("hidden"):
        return 5, high
    raise AssertionError(f"unexpected cell {cell!r}")


def read_figures(page: str) -> dict:
    """Every outcome figure a page (or the pack's HTML) shows: cohorts, counts, percentages."""
    seen: dict = {"cohort": {}, "count": {}, "percent": {}}
    for row in table(page, caption=COHORT_CAPTION)[1:]:
        year = int(row[0][-4:])
        for group, cell in zip(GROUPS, row[1:], strict=True):
            seen["cohort"][(year, group)] = cell
    for measure in MEASURES:
        for row in table(page, caption=f"{MEASURE_CAPTIONS[measure]}: number and share")[1:]:
            year = int(row[0][-4:])
            for i, group in enumerate(GROUPS):
                seen["count"][(year, measure, group)] = row[1 + 2 * i]
                seen["percent"][(year, measure, group)] = row[2 + 2 * i]
    return seen


def attack(seen: dict) -> dict:
    """For every (year, measure, group, "in"/"not"), the smallest and largest value possible."""
    high = 10_000
    names: list = []
    lower: list[float] = []
    upper: list[float] = []

    def var(key, lo, hi) -> int:
        names.append(key)
        lower.append(lo)
        upper.append(hi)
        return len(names) - 1

    rows: list[tuple[dict[int, float], float, float]] = []
    index = {}
    for year in sorted({y for y, _ in seen["cohort"]}):
        cohorts = {
            g: var(("cohort", year, g), *_bounds_of(seen["cohort"][(year, g)], high))
            for g in GROUPS
        }
        rows.append(({cohorts["17-18"]: 1, cohorts["19-21"]: 1, cohorts["all"]: -1}, 0, 0))
        for measure in MEASURES:
            for group in GROUPS:
                cell = seen["count"][(year, measure, group)]
                i = var((year, measure, group, "in"), *_bounds_of(cell, high))
                j = var((year, measure, group, "not"), 0, high)
                index[(year, measure, group, "in")], index[(year, measure, group, "not")] = i, j
                rows.append(({i: 1, j: 1, cohorts[group]: -1}, 0, 0))
                percent = seen["percent"][(year, measure, group)]
                if percent.endswith("%"):
                    p = int(percent[:-1])
                    c = cohorts[group]
                    # (p - 0.5) * c <= 100 * count <= (p + 0.5) * c
                    rows.append(({i: 100, c: -(p - 0.5)}, 0, math.inf))
                    rows.append(({i: 100, c: -(p + 0.5)}, -math.inf, 0))
            parts = [index[(year, measure, g, "in")] for g in GROUPS]
            rows.append(({parts[0]: 1, parts[1]: 1, parts[2]: -1}, 0, 0))
    matrix = np.zeros((len(rows), len(names)))
    for r, (coefficients, _, _) in enumerate(rows):
        for column, value in coefficients.items():
            matrix[r, column] = value
    constraint = LinearConstraint(matrix, [lo for _, lo, _ in rows], [hi for _, _, hi in rows])
    found = {}
    for key, i in index.items():
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(names))
            c[i] = sign
            result = milp(c, constraints=[constraint], bounds=Bounds(lower, upper), integrality=1)
            assert result.success
            ends.append(round(sign * result.fun))
        found[key] = tuple(ends)
    return found
