"""Theme charts: matplotlib (Agg) drawn as SVG on the server.

Each chart has a title and a one-line takeaway on the page, a data table beside it and alt
text. Colours are from the Okabe-Ito palette (safe for colour-blind readers); text stays text
in the SVG (``svg.fonttype = "none"``) so it is crisp and searchable. The palette and style are
shared with the board's charts (app/charts.py). A suppressed theme has no
bar, only the words "fewer than 5", so its size cannot be read off the chart.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

from app.charts import OKABE_ITO, STYLE
from app.statistics import fewer_than
from surveys.themes.results import Results


def alt_text(results: Results) -> str:
    parts = [f"{r.name} {r.share_text}" for r in results.rows if r.count or r.share is None]
    listed = "; ".join(parts) if parts else "no themes yet"
    return f"Bar chart of the share of people raising each theme. {results.takeaway} {listed}."


def theme_chart_svg(results: Results) -> str:
    rows = list(reversed(results.rows))
    with plt.rc_context(STYLE):
        height = 1.2 + 0.32 * max(len(rows), 1)
        figure, axes = plt.subplots(figsize=(7.5, height))
        names = [r.name for r in rows]
        shares = [r.share or 0 for r in rows]
        previous = [r.previous_share for r in rows]
        positions = range(len(rows))
        axes.barh(
            positions, shares, color=OKABE_ITO[0], height=0.6, label=results.survey_round.name
        )
        if results.previous_round and any(p is not None for p in previous):
            axes.scatter(
                [p if p is not None else float("nan") for p in previous],
                positions,
                marker="D",
                color=OKABE_ITO[1],
                edgecolors="#0b0c0c",
                zorder=3,
                label=results.previous_round.name,
            )
            axes.legend(loc="lower right", frameon=False, fontsize=8)
        for y, row in zip(positions, rows, strict=True):
            label = fewer_than() if row.share is None else f"{row.share:.0f}%"
            axes.text((row.share or 0) + 1, y, label, va="center", fontsize=9, color="#0b0c0c")
        axes.set_yticks(list(positions), names)
        axes.set_xlim(0, 110)
        axes.set_xlabel("People who raised the theme (%)")
        axes.set_title(f"Themes in {results.survey_round.name}", loc="left", fontsize=11)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
        plt.close(figure)
    return buffer.getvalue()
