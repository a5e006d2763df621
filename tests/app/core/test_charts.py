"""The charts as a reader sees them: every word inside the picture, nothing drawn over another,
a hidden figure never drawn to size, and the same data always the same bytes (the cache's key).

The SVG is parsed as XML, and where a word ends is worked out with the same Helvetica widths
the charts lay text out with (the SVG names Arial, Liberation Sans: the same widths)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.core.charts import (
    WIDTH,
    BarChart,
    Key,
    LineChart,
    MultiLineChart,
    Plotted,
    Series,
    bar_chart_svg,
    line_chart_svg,
    multi_line_chart_svg,
    nice_ticks,
    text_width,
    wrap_to,
    xy_chart_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
LONG = (
    "I am over 18 and live in supported accommodation, for example a hostel, a foyer or a "
    "supported lodgings placement with a family who are not my foster carers"
)


def _parse(svg: str) -> tuple[ET.Element, float]:
    root = ET.fromstring(svg)  # noqa: S314 (our own chart, not someone else's file)
    return root, float(root.get("viewBox", "").split()[3])


def _words(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """(words, left, right, baseline, size) of every text, rotated ones left out."""
    found = []
    for node in root.iter(f"{SVG}text"):
        if node.get("transform"):
            continue
        words, size, x = node.text or "", float(node.get("font-size", 10)), float(node.get("x"))
        width = text_width(words, size)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[
            node.get("text-anchor", "start")
        ]
        found.append((words, left, left + width, float(node.get("y")), size))
    return found


def _bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#ffffff"]


def _theme_chart(**changes) -> BarChart:
    chart = BarChart(
        title="Themes in Q7",
        labels=["Housing", "Money", LONG, "Education"],
        values=[42.0, 31.0, None, 100.0],
        value_labels=["42% (21)", "31% (15)", "fewer than 5", "100% (1,204)"],
        axis_label="People who raised the theme (%)",
        maximum=100,
        series=[Series("Last round", [40.0, None, 12.0, 96.0])],
        bar_name="This round",
        note="Reference figure: a national survey of young people aged 16 to 24, the latest "
        "year published, which the board reads beside ours. " * 2,
    )
    for name, value in changes.items():
        setattr(chart, name, value)
    return chart


CHARTS = {
    "bars": lambda: bar_chart_svg(_theme_chart()),
    "line": lambda: line_chart_svg(
        LineChart(
            "Response rate, round by round",
            ["2023", "2024", "2025", "2026"],
            [31.0, None, 44.0, 100.0],
            ["31%", "hidden", "44%", "100%"],
            "Response rate (%)",
            target=[40.0, 40.0, 45.0, 50.0],
            line_name="Response rate",
        )
    ),
    "lines": lambda: multi_line_chart_svg(
        MultiLineChart(
            "Self-assessment: staff and young people",
            ["Northbridge care leavers 2024", "Northbridge care leavers 2025", "2026"],
            [Series("Staff", [2.5, 3.0, 4.0]), Series("Young people", [2.0, None, 3.1])],
            "Average score (1 to 4)",
            4.0,
        )
    ),
}


@pytest.mark.parametrize("kind", CHARTS)
def test_every_word_is_inside_the_picture(kind):
    root, height = _parse(CHARTS[kind]())
    for words, left, right, baseline, size in _words(root):
        assert left >= 0 and right <= WIDTH, f"{words!r} runs off the side ({left}, {right})"
        assert size <= baseline <= height, f"{words!r} runs off the top or bottom"


@pytest.mark.parametrize("kind", CHARTS)
def test_no_two_words_are_written_over_each_other(kind):
    placed = _words(_parse(CHARTS[kind]())[0])
    for i, (a, a_left, a_right, a_base, a_size) in enumerate(placed):
        for b, b_left, b_right, b_base, b_size in placed[i + 1 :]:
            apart_across = a_right <= b_left or b_right <= a_left
            apart_down = a_base <= b_base - b_size or b_base <= a_base - a_size
            assert apart_across or apart_down, f"{a!r} and {b!r} overlap"


def test_a_hidden_figure_has_no_bar_only_its_words():
    root, _ = _parse(bar_chart_svg(_theme_chart()))
    texts = [w for w, *_ in _words(root)]
    assert "fewer than 5" in texts
    # Three figures shown, three bars (and the legend's one swatch): the hidden one is not drawn.
    assert len(_bars(root)) == 3 + 1


def test_bars_are_drawn_to_scale_and_a_long_label_is_wrapped_not_cut():
    root, _ = _parse(bar_chart_svg(_theme_chart(series=[], bar_name="", note="")))
    bars = _bars(root)
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] / widths[1] == pytest.approx(42 / 31, rel=0.01)
    assert widths[2] / widths[0] == pytest.approx(100 / 42, rel=0.01)
    texts = " ".join(w for w, *_ in _words(root))
    assert " ".join(wrap_to(LONG, WIDTH, 10)) in texts  # every word of it, over several lines


def test_a_hidden_point_breaks_its_line_and_says_so():
    svg = line_chart_svg(
        LineChart(
            "Rate",
            ["a", "b", "c", "d"],
            [10.0, 20.0, None, 30.0],
            ["10", "20", "hidden", "30"],
            "%",
        )
    )
    root, _ = _parse(svg)
    runs = [
        p.get("points").split() for p in root.iter(f"{SVG}polyline") if p.get("stroke-width") == "2"
    ]
    assert [len(r) for r in runs] == [2], "a line is drawn only between points both shown"
    assert "hidden" in [w for w, *_ in _words(root)]


def test_the_legend_names_every_line_and_mark():
    legend = {w for w, *_ in _words(_parse(bar_chart_svg(_theme_chart()))[0])}
    assert {"This round", "Last round"} <= legend
    chart = xy_chart_svg(
        "Answers so far",
        [
            Plotted(Key("Survey 2026", "#0072B2"), [(1, 3.0), (2, 5.0)]),
            Plotted(Key("Target 40% (120)", "#D55E00", dash="1.5 2.5"), [(1, 9.0), (2, 9.0)]),
        ],
        x_range=(1, 2),
        y_top=10,
        x_label="Days since the round opened",
    )
    assert {"Survey 2026", "Target 40% (120)"} <= {w for w, *_ in _words(_parse(chart)[0])}


def test_the_same_data_gives_the_same_bytes_and_other_data_other_bytes():
    assert bar_chart_svg(_theme_chart()) == bar_chart_svg(_theme_chart())
    assert bar_chart_svg(_theme_chart()) != bar_chart_svg(
        _theme_chart(values=[42.0, 30.0, None, 99.0])
    )


def test_words_are_escaped_not_read_as_markup():
    root, _ = _parse(bar_chart_svg(_theme_chart(labels=["<b>Tom & Jerry</b>", "b", "c", "d"])))
    assert "<b>Tom & Jerry</b>" in [w for w, *_ in _words(root)]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, 112, [0, 25, 50, 75, 100]), (0, 11.2, [0, 2.5, 5, 7.5, 10]), (1, 29, [5, 10, 15, 20, 25])],
)
def test_axis_steps_are_round_numbers(low, high, expected):
    assert nice_ticks(low, high, most=6 if high != 29 else 8) == expected


def test_a_label_longer_than_its_chart_allows_is_cut_with_an_ellipsis():
    root, _ = _parse(bar_chart_svg(_theme_chart(series=[], note="", label_lines=2)))
    texts = [w for w, *_ in _words(root)]
    first, second = wrap_to(LONG, WIDTH * 0.42, 10)[:2]
    assert first in texts and second + "\u2026" in texts
    assert not any(w in texts for w in wrap_to(LONG, WIDTH * 0.42, 10)[2:])
