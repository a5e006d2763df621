"""Charts for reports: matplotlib (Agg) drawn as SVG on the server, cached by a hash of the data.

Shared by the theme results (surveys/themes/charts.py) and the board (app/board). Decisions:
- Colours are the Okabe-Ito palette (safe for colour-blind readers), and colour never carries
  meaning alone: bars are labelled with their values, comparison marks differ in shape
  (diamond: last round, triangle: reference figure) and are named in a legend, and every chart
  has a data table beside it on the page.
- Text stays text in the SVG (``svg.fonttype = "none"``): crisp, searchable and small.
- A suppressed value has no bar, only the words "fewer than 5" (or "hidden"), so its size
  cannot be read off the chart.
- ``cached_svg`` keys each chart by a SHA-256 of its kind and data: an in-process LRU in front of
  files under instance/chart-cache/, so a chart is drawn once per data, shared by every worker
  process, and can be served with ``Cache-Control: immutable`` (the address changes when the
  data does). Pages reference charts as <img src=.../charts/HASH.svg alt=...>; an SVG loaded as
  an image is its own document, so the page's Content-Security-Policy (no inline styles) is
  not weakened by matplotlib's style attributes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import re
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
INK = "#0b0c0c"
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "belonging",  # stable ids, so the same data gives the same bytes
    "font.family": ["Arial", "Liberation Sans", "DejaVu Sans", "sans-serif"],
    "font.size": 10,
}
MARKERS = ["D", "^", "s", "o"]

_LOCK = threading.Lock()
_MEMORY: OrderedDict[str, bytes] = OrderedDict()
MEMORY_ITEMS = 256
HASH = re.compile(r"^[0-9a-f]{64}$")


@functools.cache
def pyplot() -> ModuleType:
    """matplotlib's pyplot on the Agg backend, loaded the first time a chart is drawn.

    Imported here rather than at the top of the module: matplotlib costs about 60 MB and 1.5 s,
    and most processes (the survey pages, the send worker, a pack whose charts are all cached)
    never draw a chart."""
    import matplotlib  # lazy on purpose (memory): see the docstring

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Arial is asked for first (the page's font) but is rarely installed on servers; matplotlib
    # falls back down the list quietly rather than logging a warning for every label.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return plt


# Bump when the drawing code changes, so charts cached from older code are drawn again.
DRAWING_VERSION = 2


def data_hash(kind: str, data: object) -> str:
    payload = json.dumps(
        [DRAWING_VERSION, kind, data], sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _folder() -> Path:
    configured = current_app.config.get("CHART_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "chart-cache"


def cached_svg(kind: str, data: object, draw: Callable[[], str]) -> str:
    """The chart's hash; draws it (``draw()`` returns SVG text) only if no cache has it."""
    key = data_hash(kind, data)
    with _LOCK:
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return key
    path = _folder() / f"{key}.svg"
    if path.exists():
        body = path.read_bytes()
    else:
        body = draw().encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_bytes(body)
        temporary.replace(path)  # atomic: another worker never reads half a file
    _remember(key, body)
    return key


def _remember(key: str, body: bytes) -> None:
    with _LOCK:
        _MEMORY[key] = body
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > MEMORY_ITEMS:
            _MEMORY.popitem(last=False)


def svg_bytes(key: str) -> bytes | None:
    """A cached chart by its hash, or None."""
    if not HASH.match(key):
        return None
    with _LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
    path = _folder() / f"{key}.svg"
    if not path.exists():
        return None
    body = path.read_bytes()
    _remember(key, body)
    return body


def forget_memory() -> None:
    """Empty the in-process cache (benchmarks measure a cold start with it)."""
    with _LOCK:
        _MEMORY.clear()


def finish(figure, axes, *, extra: list | None = None) -> str:
    """Every chart ends the same way: no top or right frame, tight layout, SVG text as text.
    ``extra``: text placed outside the axes (a source line), which the image must include."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.StringIO()
    if extra:
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None},
            bbox_inches="tight",
            bbox_extra_artists=extra,
        )
    else:
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    pyplot().close(figure)
    return buffer.getvalue()


@dataclass
class Series:
    """Comparison marks on a bar chart: one value (or None) per bar."""

    name: str
    values: list[float | None]


@dataclass
class BarChart:
    """Horizontal bars with their value written beside each bar."""

    title: str
    labels: list[str]
    values: list[float | None]  # None: suppressed, no bar
    value_labels: list[str]
    axis_label: str
    maximum: float | None = None  # e.g. 100 for percentages
    series: list[Series] = field(default_factory=list)
    colours: list[str] | None = None  # one per bar; default: the first palette colour
    bar_name: str = ""  # the legend's name for the bars, when there are comparison marks
    # Written under the chart, in the image itself: where comparison figures come from.
    note: str = ""

    def data(self) -> dict:
        # "note" only when set, so every chart without one keeps its hash (and its cache).
        return ({"note": self.note} if self.note else {}) | {
            "title": self.title,
            "labels": self.labels,
            "values": self.values,
            "value_labels": self.value_labels,
            "axis": self.axis_label,
            "maximum": self.maximum,
            "series": [[s.name, s.values] for s in self.series],
            "colours": self.colours,
            "bar_name": self.bar_name,
        }


def bar_chart_svg(chart: BarChart) -> str:
    rows = len(chart.labels)
    plt = pyplot()
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 1.3 + 0.36 * max(rows, 1)))
        positions = list(range(rows))[::-1]  # first label at the top
        top = chart.maximum or max([v or 0 for v in chart.values] + [1]) * 1.25
        colours = chart.colours or [OKABE_ITO[0]] * rows
        axes.barh(
            positions,
            [v or 0 for v in chart.values],
            color=colours,
            height=0.6,
            label=chart.bar_name or None,
        )
        for index, y in enumerate(positions):
            # Write the value after the bar and after any comparison mark, never over one.
            marks = [s.values[index] or 0 for s in chart.series if index < len(s.values)]
            x = max([chart.values[index] or 0, *marks]) + top * 0.02
            axes.text(x, y, chart.value_labels[index], va="center", fontsize=9, color=INK)
        for number, series in enumerate(chart.series):
            xs = [v if v is not None else float("nan") for v in series.values]
            axes.scatter(
                xs,
                positions,
                marker=MARKERS[number % len(MARKERS)],
                color=OKABE_ITO[1 + number],
                edgecolors=INK,
                zorder=3,
                label=series.name,
            )
        legend = None
        if chart.series:
            legend = axes.legend(
                loc="upper left",
                bbox_to_anchor=(0, -0.12 - 0.5 / max(rows, 1)),
                frameon=False,
                fontsize=8,
                ncol=3,
            )
        axes.set_yticks(positions, chart.labels)
        axes.set_xlim(0, top * 1.12)
        axes.set_xlabel(chart.axis_label)
        axes.set_title(chart.title, loc="left", fontsize=11)
        extra = []
        if chart.note:
            # Under the legend (or the axis label): the source line is part of the picture.
            extra.append(
                axes.annotate(
                    "\n".join(textwrap.wrap(chart.note, 110, break_on_hyphens=False)),
                    xy=(0, 0),
                    xycoords=("axes fraction", legend or axes.xaxis.label),
                    xytext=(0, -6),
                    textcoords="offset points",
                    va="top",
                    ha="left",
                    fontsize=8,
                    color=INK,
                    annotation_clip=False,
                )
            )
        return finish(figure, axes, extra=[*extra, legend] if legend and extra else extra)


@dataclass
class LineChart:
    """Values over time (e.g. a response rate round by round) against a target line."""

    title: str
    labels: list[str]
    values: list[float | None]
    value_labels: list[str]
    axis_label: str
    target: list[float | None] = field(default_factory=list)
    target_name: str = "Target"
    line_name: str = ""

    def data(self) -> dict:
        return {
            "title": self.title,
            "labels": self.labels,
            "values": self.values,
            "value_labels": self.value_labels,
            "axis": self.axis_label,
            "target": self.target,
            "target_name": self.target_name,
            "line_name": self.line_name,
        }


def line_chart_svg(chart: LineChart) -> str:
    plt = pyplot()
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 3.2))
        xs = list(range(len(chart.labels)))
        ys = [v if v is not None else float("nan") for v in chart.values]
        axes.plot(
            xs, ys, marker="o", color=OKABE_ITO[0], linewidth=2, label=chart.line_name or None
        )
        targets = chart.target or [None] * len(xs)
        for x, y, text, t in zip(xs, chart.values, chart.value_labels, targets, strict=True):
            below = y is not None and t is not None and y < t  # keep clear of the target line
            axes.annotate(
                text,
                (x, y if y is not None else 0),
                textcoords="offset points",
                xytext=(0, -14 if below else 8),
                ha="center",
                fontsize=9,
                color=INK,
            )
        if any(t is not None for t in chart.target):
            axes.plot(
                xs,
                [t if t is not None else float("nan") for t in chart.target],
                linestyle="--",
                marker="_",
                color=OKABE_ITO[3],
                label=chart.target_name,
            )
        top = max([v or 0 for v in chart.values] + [t or 0 for t in chart.target] + [10])
        axes.set_ylim(0, min(100, top * 1.3) if top <= 100 else top * 1.3)
        axes.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
        axes.set_xticks(xs, chart.labels)
        axes.set_ylabel(chart.axis_label)
        axes.set_title(chart.title, loc="left", fontsize=11)
        axes.legend(loc="lower right", frameon=False, fontsize=8)
        return finish(figure, axes)


@dataclass
class MultiLineChart:
    """Several lines over the same points in time (e.g. staff and young people, round by
    round). Lines differ in colour and marker shape and are named in a legend; every point is
    labelled with its value, so colour never carries meaning alone."""

    title: str
    labels: list[str]
    lines: list[Series]
    axis_label: str
    maximum: float
    value_format: str = "{:.1f}"

    def data(self) -> dict:
        return {
            "title": self.title,
            "labels": self.labels,
            "lines": [[s.name, s.values] for s in self.lines],
            "axis": self.axis_label,
            "maximum": self.maximum,
            "format": self.value_format,
        }


def multi_line_chart_svg(chart: MultiLineChart) -> str:
    plt = pyplot()
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 3.2))
        xs = list(range(len(chart.labels)))
        for number, line in enumerate(chart.lines):
            ys = [v if v is not None else float("nan") for v in line.values]
            axes.plot(
                xs,
                ys,
                marker=MARKERS[number % len(MARKERS)],
                color=OKABE_ITO[number % len(OKABE_ITO)],
                linewidth=2,
                label=line.name,
            )
            offset = 8 if number % 2 == 0 else -14  # first line's labels above, second below
            for x, y in zip(xs, line.values, strict=True):
                if y is None:
                    continue
                axes.annotate(
                    chart.value_format.format(y),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, offset),
                    ha="center",
                    fontsize=9,
                    color=INK,
                )
        axes.set_ylim(0, chart.maximum * 1.15)
        axes.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
        axes.set_xticks(xs, chart.labels)
        axes.set_ylabel(chart.axis_label)
        axes.set_title(chart.title, loc="left", fontsize=11)
        axes.legend(loc="lower right", frameon=False, fontsize=8)
        return finish(figure, axes)
