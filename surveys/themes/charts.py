"""Theme charts: SVG written on the server (app/core/charts.py).

Each chart has a title and a one-line takeaway on the page, a data table beside it and alt
text. Colours are from the Okabe-Ito palette (safe for colour-blind readers); text stays text
in the SVG, so it is crisp and searchable. The palette and layout are shared with the board's
charts. A hidden theme has no bar, only its label ("fewer than 5" or "hidden to protect
privacy"), so its size cannot be read off the chart.
"""

from __future__ import annotations

from app.core.charts import BarChart, Series, bar_chart_svg
from surveys.themes.results import Results


def alt_text(results: Results) -> str:
    parts = [f"{r.name} {r.share_text}" for r in results.rows if r.count or r.share is None]
    listed = "; ".join(parts) if parts else "no themes yet"
    return f"Bar chart of the share of people raising each theme. {results.takeaway} {listed}."


def theme_chart_svg(results: Results) -> str:
    """The share of people raising each theme, with last round's share as a mark."""
    rows = results.rows
    series = []
    if results.previous_round and any(r.previous_share is not None for r in rows):
        series = [Series(results.previous_round.name, [r.previous_share for r in rows])]
    return bar_chart_svg(
        BarChart(
            title=f"Themes in {results.question_code}"
            if results.question_code
            else f"Themes in {results.survey_round.name}",
            labels=[r.name for r in rows],
            values=[r.share for r in rows],
            value_labels=[r.share_text for r in rows],
            axis_label="People who raised the theme (%)",
            maximum=100,
            series=series,
            bar_name=results.survey_round.name if series else "",
        )
    )
