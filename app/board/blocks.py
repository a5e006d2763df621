"""What the board's pages and pack are made of: tables and charts with their words.

Shared by app/board/services.py and the sections in their own modules (app/board/wellbeing.py),
so each section builds the same blocks the dashboard's partials and the pack's macros render.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from app.core.disclosure import is_suppressed, share


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list]  # the first cell of each row is its label


@dataclass
class ChartBlock:
    key: str
    title: str
    takeaway: str
    alt: str
    svg: str  # the chart's hash: /board/charts/<svg>.svg
    table: Table

    @property
    def url(self) -> str:
        return url_for("board.chart", key=self.svg)


def pct_text(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.0f}%"


def share_text(value: int | str, base: int | str) -> str:
    """A count's share of its base, or the count's own label when it is hidden."""
    if is_suppressed(value):
        return value
    return pct_text(share(value, base))


def alt_text(kind: str, title: str, takeaway: str, pairs: list[tuple[str, str]]) -> str:
    listed = "; ".join(f"{label}: {value}" for label, value in pairs) or "no data"
    return f"{kind} titled {title}. {takeaway} The data: {listed}."
