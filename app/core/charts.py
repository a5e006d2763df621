"""Charts for reports: SVG written directly on the server, cached by a hash of the data.

Shared by the theme results (surveys/themes/charts.py), the response-rate dashboard
(app/outreach/invitations/dashboard.py) and the board (app/board). Decisions:
- The SVG is written here, element by element, not drawn by a plotting library: a chart is a
  few dozen rectangles, lines and words, and writing them takes about a millisecond where
  matplotlib took 0.1 s a chart and 0.4 s and 60 MB to load (issue 20: the board pack job at
  2,000 responses draws its charts in its own 200 MB). Text is laid out with Helvetica's
  widths (``text_width``), which Arial and Liberation Sans share, the fonts the SVG names.
- Colours are the Okabe-Ito palette (safe for colour-blind readers), and colour never carries
  meaning alone: bars are labelled with their values, comparison marks differ in shape
  (diamond: last round, triangle: reference figure) and are named in a legend, lines differ in
  dash and marker, and every chart has a data table beside it on the page.
- Text stays text in the SVG: crisp, searchable, small, and read out by a PDF's text layer.
- A suppressed value has no bar, only the words "fewer than 5" (or "hidden"), so its size
  cannot be read off the chart; a hidden point is a gap in its line.
- The same data gives the same bytes (no ids, dates or random numbers), so ``cached_svg`` keys
  each chart by a SHA-256 of its kind and data: an in-process LRU in front of files under
  instance/chart-cache/, so a chart is drawn once per data, shared by every worker process,
  and can be served with ``Cache-Control: immutable`` (the address changes when the data
  does). Pages reference charts as <img src=.../charts/HASH.svg alt=...>; an SVG loaded as an
  image is its own document, so the page's Content-Security-Policy is not weakened.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from flask import current_app

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
INK = "#0b0c0c"
MARKERS = ["D", "^", "s", "o"]
FONT = "Arial, &apos;Liberation Sans&apos;, &apos;DejaVu Sans&apos;, sans-serif"
WIDTH = 540.0  # points: 7.5 inches, the width of an A4 page's text

_LOCK = threading.Lock()
_MEMORY: OrderedDict[str, bytes] = OrderedDict()
MEMORY_ITEMS = 256
HASH = re.compile(r"^[0-9a-f]{64}$")


# Bump when the drawing code changes, so charts cached from older code are drawn again.
DRAWING_VERSION = 3  # 3: written directly, no matplotlib


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


# --- Writing SVG ------------------------------------------------------------------------------

# Helvetica's advance widths (thousandths of an em) for printable ASCII, from its AFM file; Arial
# and Liberation Sans are metric-compatible with it. Other characters count as a digit's width.
# fmt: off
_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)
# fmt: on
_ADVANCE = {chr(32 + i): w for i, w in enumerate(_WIDTHS)}


def text_width(text: str, size: float) -> float:
    """The width in points of ``text`` set in ``size`` point Helvetica (or Arial)."""
    return sum(_ADVANCE.get(c, 556) for c in text) * size / 1000


def wrap_to(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points, at spaces (and at its own
    line breaks); a single word wider than that stays whole on its line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _n(value: float) -> str:
    """A coordinate, short and always the same for the same value."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round values from ``low`` to ``high`` for an axis (at most ``most``), steps of 1, 2,
    2.5 or 5 times a power of ten."""
    span = high - low
    if span <= 0:
        return [low]
    power = 10 ** math.floor(math.log10(span / max(most - 1, 1)))
    step = next(m * power for m in (1, 2, 2.5, 5, 10, 20) if span / (m * power) <= max(most - 1, 1))
    first = math.ceil(low / step - 1e-9) * step
    count = math.floor((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(count)]


def tick_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}".rstrip("0")


class Canvas:
    """One SVG picture, written as elements are added (in points, origin top left)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        words: str,
        size: float = 10,
        anchor: str = "start",
        rotate: bool = False,
    ) -> None:
        """``y`` is the baseline."""
        extra = f' transform="rotate(-90 {_n(x)} {_n(y)})"' if rotate else ""
        if anchor != "start":
            extra += f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{extra}>{escape(words)}</text>'
        )

    def rect(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="{colour}"/>'
        )

    def line(
        self,
        points: Sequence[tuple[float, float]],
        colour: str = INK,
        width: float = 0.8,
        dash: str = "",
    ) -> None:
        if len(points) < 2:
            return
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{_n(width)}"{dashed} stroke-linejoin="round"/>'
        )

    def marker(self, x: float, y: float, shape: str, colour: str, size: float = 7) -> None:
        """A mark centred on (x, y): D diamond, ^ triangle, s square, o circle, _ dash."""
        r = size / 2
        outline = f'fill="{colour}" stroke="{INK}" stroke-width="0.8"'
        if shape == "o":
            self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {outline}/>')
        elif shape == "_":
            self.line([(x - r, y), (x + r, y)], colour, 1.6)
        else:
            corners = {
                "D": [(0, -r * 1.2), (r, 0), (0, r * 1.2), (-r, 0)],
                "^": [(0, -r * 1.15), (r * 1.1, r * 0.85), (-r * 1.1, r * 0.85)],
                "s": [(-r, -r), (r, -r), (r, r), (-r, r)],
            }[shape]
            points = " ".join(f"{_n(x + dx)},{_n(y + dy)}" for dx, dy in corners)
            self.parts.append(f'<polygon points="{points}" {outline}/>')

    def svg(self, height: float) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(WIDTH)}pt" '
            f'height="{_n(height)}pt" viewBox="0 0 {_n(WIDTH)} {_n(height)}" '
            f'font-family="{FONT}" fill="{INK}" role="img">'
            f"<title>{escape(self.title)}</title>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(self.parts) + "</svg>"
        )


@dataclass
class Key:
    """One entry of a chart's legend: a bar's swatch, or a line's dash and marker."""

    name: str
    colour: str
    bar: bool = False
    dash: str = ""
    marker: str = ""


def legend(canvas: Canvas, keys: Sequence[Key], left: float, top: float) -> float:
    """The legend under a chart, entries left to right, wrapping; returns its bottom."""
    x, baseline, size = left, top + 9, 8
    for key in keys:
        width = 26 + text_width(key.name, size) + 14
        if x > left and x + width > WIDTH - 8:
            x, baseline = left, baseline + 13
        if key.bar:
            canvas.rect(x, baseline - 7, 18, 8, key.colour)
        else:
            canvas.line([(x, baseline - 3), (x + 18, baseline - 3)], key.colour, 2, key.dash)
        if key.marker:
            canvas.marker(x + 9, baseline - 3, key.marker, key.colour, 6)
        canvas.text(x + 24, baseline, key.name, size)
        x += width
    return baseline + 5


def note_lines(canvas: Canvas, note: str, left: float, top: float) -> float:
    """A source line written under the chart, in the image itself; returns its bottom."""
    baseline = top
    for line in wrap_to(note, WIDTH - 8 - left, 8):
        baseline += 10
        canvas.text(left, baseline, line, 8)
    return baseline + 4


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
    label_lines: int = 0  # the most lines a label takes (0: as many as it needs)

    def data(self) -> dict:
        # "note" and "label_lines" only when set, so every chart without them keeps its hash.
        optional = {"note": self.note, "label_lines": self.label_lines}
        return {k: v for k, v in optional.items() if v} | {
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


ROW = 26.0  # points a bar's row takes
LABEL_SIZE = 10
VALUE_SIZE = 9


def _label_lines(label: str, most: int) -> list[str]:
    """A bar's label in lines that fit beside the bars; past ``most`` lines (0: no limit) it is
    cut with an ellipsis, as the table beside the chart has it whole."""
    lines = wrap_to(label, WIDTH * 0.42, LABEL_SIZE)
    if most and len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1] + "\u2026"]
    return lines


def bar_chart_svg(chart: BarChart) -> str:
    """Horizontal bars, the first label at the top, each value written after its bar and after
    any comparison mark (never over one); a suppressed value is only its words."""
    canvas = Canvas(chart.title)
    canvas.text(8, 16, chart.title, 11)
    labels = [_label_lines(label, chart.label_lines) for label in chart.labels]
    left = 8 + max([text_width(x, LABEL_SIZE) for lines in labels for x in lines] + [0]) + 10
    # A row is as tall as its label's lines need, and never less than ROW.
    heights = [max(ROW, 12.0 * len(lines) + 4) for lines in labels] or [ROW]
    top = 28.0
    bottom = top + sum(heights)
    highest = chart.maximum or max([v or 0 for v in chart.values] + [1]) * 1.25
    limit = highest * 1.12
    # Where each value is written (in data units), and the plot as wide as lets every one fit.
    ends = []
    for index, value in enumerate(chart.values):
        marks = [s.values[index] or 0 for s in chart.series if index < len(s.values)]
        ends.append(max([value or 0, *marks]) + highest * 0.02)
    width = WIDTH - 10 - left
    for end, text in zip(ends, chart.value_labels, strict=False):
        room = WIDTH - 6 - left - text_width(text, VALUE_SIZE)
        if end > 0 and room > 0:
            width = min(width, room * limit / end)
    scale = width / limit

    def y_of(index: int) -> float:
        return top + sum(heights[:index]) + heights[index] / 2

    colours = chart.colours or [OKABE_ITO[0]] * len(chart.labels)
    for index, value in enumerate(chart.values):
        if value:
            canvas.rect(left, y_of(index) - ROW * 0.3, value * scale, ROW * 0.6, colours[index])
    for number, series in enumerate(chart.series):
        for index, value in enumerate(series.values):
            if value is not None and index < len(chart.labels):
                shape, colour = MARKERS[number % len(MARKERS)], OKABE_ITO[1 + number]
                canvas.marker(left + value * scale, y_of(index), shape, colour)
    for index, text in enumerate(chart.value_labels):
        canvas.text(left + ends[index] * scale, y_of(index) + 3.2, text, VALUE_SIZE)
    for index, lines in enumerate(labels):
        first = y_of(index) + 3.5 - (len(lines) - 1) * 6
        for number, line in enumerate(lines):
            canvas.text(left - 6, first + 12 * number, line, LABEL_SIZE, anchor="end")
        canvas.line([(left - 3.5, y_of(index)), (left, y_of(index))])
    canvas.line([(left, top), (left, bottom), (left + width, bottom)])
    for tick in nice_ticks(0, limit):
        x = left + tick * scale
        canvas.line([(x, bottom), (x, bottom + 3.5)])
        canvas.text(x, bottom + 15, tick_text(tick), LABEL_SIZE, anchor="middle")
    canvas.text(left + width / 2, bottom + 30, chart.axis_label, LABEL_SIZE, anchor="middle")
    end = bottom + 36
    if chart.series:
        keys = [Key(chart.bar_name, OKABE_ITO[0], bar=True)] if chart.bar_name else []
        keys += [
            Key(s.name, OKABE_ITO[1 + n], marker=MARKERS[n % len(MARKERS)])
            for n, s in enumerate(chart.series)
        ]
        end = legend(canvas, keys, left, end)
    if chart.note:
        end = note_lines(canvas, chart.note, left, end)
    return canvas.svg(end + 4)


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


@dataclass
class Plotted:
    """One line of an x-y chart: its points (None: a gap), how it is drawn, and the words
    written beside each point (None: none)."""

    key: Key
    points: Sequence[tuple[float, float | None]]
    width: float = 2.0
    labels: Sequence[str | None] = ()
    label_above: Sequence[bool] = ()


def xy_chart_svg(
    title: str,
    lines: Sequence[Plotted],
    *,
    x_range: tuple[float, float],
    y_top: float,
    x_label: str = "",
    y_label: str = "",
    x_ticks: Sequence[tuple[float, str]] | None = None,
    height: float = 230.4,
) -> str:
    """Lines over an x axis (numbers, or named points given as ``x_ticks``) from 0 up to
    ``y_top``, the legend under the chart (the picture grows to hold it). Shared by the line
    charts here and the response-rate dashboard's day-by-day chart."""
    canvas = Canvas(title)
    canvas.text(8, 16, title, 11)
    y_ticks = nice_ticks(0, y_top)
    left = 8 + (14 if y_label else 0) + max(text_width(tick_text(t), 10) for t in y_ticks) + 8
    right, top = WIDTH - 14, 30.0
    keys = [line.key for line in lines if line.key.name]
    bottom = height - 30 - (16 if x_label else 0)
    low, high = x_range

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - low) / ((high - low) or 1) * (right - left),
            bottom - y / (y_top or 1) * (bottom - top),
        )

    canvas.line([(left, top), (left, bottom), (right, bottom)])
    for tick in y_ticks:
        _, y = at(low, tick)
        canvas.line([(left - 3.5, y), (left, y)])
        canvas.text(left - 6, y + 3.5, tick_text(tick), 10, anchor="end")
    if y_label:
        canvas.text(14, (top + bottom) / 2, y_label, 10, anchor="middle", rotate=True)
    named = x_ticks
    if named is None:
        named = [(t, tick_text(t)) for t in nice_ticks(low, high, most=8)]
    slot = (right - left) / max(len(named), 1)
    for x_value, name in named:
        x, _ = at(x_value, 0)
        canvas.line([(x, bottom), (x, bottom + 3.5)])
        for number, part in enumerate(wrap_to(name, max(slot - 4, 30), 9)[:2]):
            canvas.text(x, bottom + 14 + 10 * number, part, 9, anchor="middle")
    if x_label:
        canvas.text((left + right) / 2, bottom + 32, x_label, 10, anchor="middle")
    for line in lines:
        run: list[tuple[float, float]] = []
        for x_value, y_value in [*line.points, (0.0, None)]:  # a gap at the end draws the rest
            if y_value is None:
                canvas.line(run, line.key.colour, line.width, line.key.dash)
                run = []
            else:
                run.append(at(x_value, y_value))
        for index, (x_value, y_value) in enumerate(line.points):
            x, y = at(x_value, y_value or 0)
            if line.key.marker and y_value is not None:
                canvas.marker(x, y, line.key.marker, line.key.colour, 6)
            words = line.labels[index] if index < len(line.labels) else None
            if words:  # a hidden point has no mark, only its words ("hidden") on the axis
                above = line.label_above[index] if index < len(line.label_above) else True
                above = above or y_value is None
                canvas.text(x, y - 8 if above else y + 14, words, 9, anchor="middle")
    end = bottom + (36 if x_label else 26)
    if keys:
        end = legend(canvas, keys, left, end)
    return canvas.svg(end + 4)


def line_chart_svg(chart: LineChart) -> str:
    """The round's values against its target (dashed), each point labelled with its value
    (under the point when it is below the target line, to keep clear of it)."""
    targets = chart.target or [None] * len(chart.labels)
    top = max([v or 0 for v in chart.values] + [t or 0 for t in chart.target] + [10])
    above = [  # under the point only when it is below the target line
        not (y is not None and t is not None and y < t)
        for y, t in zip(chart.values, targets, strict=True)
    ]
    lines = [
        Plotted(
            Key(chart.line_name, OKABE_ITO[0], marker="o"),
            list(enumerate(chart.values)),
            labels=list(chart.value_labels),
            label_above=above,
        )
    ]
    if any(t is not None for t in chart.target):
        lines.append(
            Plotted(
                Key(chart.target_name, OKABE_ITO[3], dash="5 3", marker="_"),
                list(enumerate(chart.target)),
                width=1.5,
            )
        )
    return xy_chart_svg(
        chart.title,
        lines,
        x_range=(-0.5, max(len(chart.labels) - 0.5, 0.5)),
        y_top=min(100, top * 1.3) if top <= 100 else top * 1.3,
        y_label=chart.axis_label,
        x_ticks=list(enumerate(chart.labels)),
    )


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


DASHES = ["", "5 3", "1.5 2.5", "6 2 1.5 2"]


def multi_line_chart_svg(chart: MultiLineChart) -> str:
    """Each line its own colour, marker and dash; the first line's values written above its
    points, the second's below, and so on."""
    lines = [
        Plotted(
            Key(
                line.name,
                OKABE_ITO[number % len(OKABE_ITO)],
                dash=DASHES[number % len(DASHES)],
                marker=MARKERS[number % len(MARKERS)],
            ),
            list(enumerate(line.values)),
            labels=[None if v is None else chart.value_format.format(v) for v in line.values],
            label_above=[number % 2 == 0] * len(line.values),
        )
        for number, line in enumerate(chart.lines)
    ]
    return xy_chart_svg(
        chart.title,
        lines,
        x_range=(-0.5, max(len(chart.labels) - 0.5, 0.5)),
        y_top=chart.maximum * 1.15,
        y_label=chart.axis_label,
        x_ticks=list(enumerate(chart.labels)),
    )
