"""Personal well-being (ONS4) on the board's dashboard and in its pack.

For a round that includes the module (surveys/wellbeing.py), each measure's answers are counted
in the ONS's threshold bands by age band, as tables of the board's one ``Publication``
(``add_counts``, called from ``app.board.services._counts``): they are protected together with
every other figure the board sees and with every earlier snapshot, so no hidden count can be
worked out by subtraction, and they move only when the snapshot moves. A band's share is taken
from published counts only.

Averages are a different kind of figure, so they have their own rule (``snapshot_means``): an
average is shown only for the whole round (never by age band, where subtracting one band's
average from everyone's could give a few people's scores), only when at least
DISCLOSURE_THRESHOLD people answered and their number and every ONS band's count for all ages
are shown (beside a hidden band's count, the average can pin it: the sum of the scores it gives
must be reachable from the bands' lowest and highest scores), and it moves only when at
least DISCLOSURE_SNAPSHOT_STEP more people have answered that question since the average last
moved: two averages never differ by fewer than five people's scores.

The chart places the round's averages beside the reference figures staff enter on the
reference figures page (averages are stored there as "ONS1:mean", a score from 0 to 10, and
band shares as "ONS1:low", a percentage), with their source written under it, in the image.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa

from app.board.blocks import ChartBlock, Table, alt_text, share_text
from app.board.models import BoardSnapshot, ReferenceFigure
from app.core.charts import BarChart, Series, bar_chart_svg, cached_svg
from app.core.disclosure import (
    Protected,
    Publication,
    SuppressedTable,
    TableKeys,
    is_suppressed,
    snapshot_step,
    threshold,
)
from app.core.extensions import db
from app.core.spreadsheets import Sheet
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.wellbeing import MEAN, MEASURES, Measure, band

MOST_SOURCES = 3  # comparison marks on one chart (shapes and colours stay distinct)


# --- Counting, inside the board's snapshot ---------------------------------------------------


def _scores(survey_round: SurveyRound) -> list[tuple[int, str, int]]:
    """(response, question code, score) for every answered well-being question of the round's
    complete responses."""
    rows = db.session.execute(
        sa.select(Answer.response_id, Question.code, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.round_id == survey_round.id,
            Response.status == "complete",
            Answer.skipped.is_(False),
            Question.questionnaire_id == survey_round.wellbeing_module_id,
        )
    ).all()
    return [
        (rid, code, int(value["score"]))
        for rid, code, value in rows
        if value and value.get("score") is not None
    ]


def add_counts(
    survey_round: SurveyRound,
    bands: Mapping[int, str],
    columns: list[str],
    shared: Mapping[str, Hashable],
    everyone: Hashable,
    publication: Publication,
    layout: dict[str, Any],
) -> None:
    """Each measure's people per ONS band and age band, and how many answered it, added to the
    board's publication. ``bands`` gives each complete response's age band (the columns)."""
    if not survey_round.includes_wellbeing:
        return
    scores = _scores(survey_round)
    layout["wellbeing"], layout["wellbeing_sums"] = {}, {}
    for measure in MEASURES:
        mine = [(rid, s) for rid, code, s in scores if code == measure.code and rid in bands]
        counts: dict[str, dict[str, int]] = {b.name: {} for b in measure.bands}
        for rid, score in mine:
            row = counts[band(measure.code, score).name]
            row[bands[rid]] = row.get(bands[rid], 0) + 1
        keys = publication.table(f"wellbeing:{measure.code}", counts, columns)
        # Those who answered are among the people in each age band (the rest skipped it).
        for column in columns:
            publication.within(keys.column_total(column), shared[column])
        publication.within(keys.column_total(None), everyone)
        layout["wellbeing"][measure.code] = keys
        layout["wellbeing_sums"][measure.code] = [len(mine), sum(s for _, s in mine)]


def snapshot_means(
    layout: dict[str, Any], protected: Protected, before: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The protected well-being tables and averages to keep in the board's snapshot."""
    if "wellbeing" not in layout:
        return {}
    tables: dict[str, TableKeys] = layout["wellbeing"]
    earlier = (before or {}).get("wellbeing_means", {})
    means: dict[str, dict[str, Any]] = {}
    for code, (answered, total) in layout["wellbeing_sums"].items():
        old = earlier.get(code)
        if old is not None and answered < old["answered"] + snapshot_step():
            means[code] = old  # too few new answers for the average to move
            continue
        keys = tables[code]
        # Every band's count for all ages shown too: the average times those who answered is
        # the sum of their scores, and each band's people add between its lowest and highest
        # score, so beside a hidden band's count the average can pin it (one person at 4 and
        # four at 6 beside 5 at 8 and 10 at 10: only "Low 1" gives 8.4).
        shown = not is_suppressed(protected[keys.column_total(None)]) and not any(
            is_suppressed(protected[keys.cell(row, None)]) for row in keys.rows
        )
        means[code] = {
            "answered": answered,
            "mean": round(total / answered, 1) if shown and answered >= threshold() else None,
        }
    return {
        "wellbeing": {code: keys.published(protected).to_json() for code, keys in tables.items()},
        "wellbeing_means": means,
    }


# --- What the board sees ----------------------------------------------------------------------


@dataclass
class WellbeingSection:
    chart: ChartBlock | None
    bands: Table | None
    source_lines: list[str]
    notes: list[str] = field(default_factory=list)


def references() -> dict[str, list[ReferenceFigure]]:
    """Reference figures for the well-being measures, by key ("ONS1:mean"), in the order
    entered; one key may have figures from several sources."""
    found: dict[str, list[ReferenceFigure]] = {}
    for figure in db.session.scalars(
        sa.select(ReferenceFigure)
        .where(ReferenceFigure.measure.like("ONS%"))
        .order_by(ReferenceFigure.id)
    ):
        found.setdefault(figure.measure, []).append(figure)
    return found


def source_line(figure: ReferenceFigure) -> str:
    return f"{figure.source} ({figure.year})" if figure.year else figure.source


def _label(measure: Measure) -> str:
    return measure.name if measure.higher_is_better else f"{measure.name} (higher is worse)"


def section(
    survey_round: SurveyRound, column: str | None, as_at: date | None
) -> WellbeingSection | None:
    """The section for a round that includes the module, from its snapshot; None otherwise."""
    if not survey_round.includes_wellbeing:
        return None
    snapshot = db.session.scalar(
        sa.select(BoardSnapshot).where(BoardSnapshot.round_id == survey_round.id)
    )
    data = snapshot.data if snapshot is not None else {}
    if "wellbeing" not in data:
        return WellbeingSection(
            None, None, [], ["The well-being figures appear when the board's figures next move."]
        )
    refs = references()
    means = {m.code: data["wellbeing_means"][m.code]["mean"] for m in MEASURES}
    if column is not None:
        means = dict.fromkeys(means)  # averages are for the whole round only
    sources: list[str] = []
    for measure in MEASURES:
        for figure in refs.get(f"{measure.code}:{MEAN}", []):
            if figure.source not in sources:
                sources.append(figure.source)
    sources = sources[:MOST_SOURCES]
    by_source = {
        (key, figure.source): figure for key, figures in refs.items() for figure in figures
    }
    lines = _source_lines(survey_round, refs, as_at)
    notes = []
    if column is not None:
        notes.append("Average scores are shown for the whole round only, not by age band.")
    chart = _mean_chart(survey_round, means, sources, by_source, lines)
    tables = {m.code: data["wellbeing"][m.code] for m in MEASURES}
    return WellbeingSection(chart, _band_table(tables, column, refs), lines, notes)


def _source_lines(
    survey_round: SurveyRound, refs: dict[str, list[ReferenceFigure]], as_at: date | None
) -> list[str]:
    when = f", as at {as_at.strftime('%-d %B %Y')}" if as_at else ""
    lines = [f"{survey_round.name}: care leavers who answered{when}."]
    seen: list[str] = []
    for figures in refs.values():
        for figure in figures:
            if source_line(figure) not in seen:
                seen.append(source_line(figure))
    if seen:
        lines.append("Compared with: " + "; ".join(seen) + ".")
    return lines


def _mean_chart(
    survey_round: SurveyRound,
    means: dict[str, float | None],
    sources: list[str],
    by_source: dict[tuple[str, str], ReferenceFigure],
    lines: list[str],
) -> ChartBlock | None:
    labels = [_label(m) for m in MEASURES]
    values = [means[m.code] for m in MEASURES]
    value_labels = ["not shown" if v is None else f"{v:.1f}" for v in values]
    series = []
    for source in sources:
        marks = []
        for measure in MEASURES:
            figure = by_source.get((f"{measure.code}:{MEAN}", source))
            marks.append(figure.percent if figure else None)
        series.append(Series(source, marks))
    # The legend names a reference figure by number; its whole source line is under the chart.
    short = [
        Series("Reference figure" if len(series) == 1 else f"Reference figure {n}", s.values)
        for n, s in enumerate(series, start=1)
    ]
    named = [f"{mark.name}: {s.name}" for mark, s in zip(short, series, strict=True)]
    title = "Personal well-being: average scores from 0 to 10"
    takeaway = _takeaway(means, series)
    chart = BarChart(
        title,
        labels,
        values,
        value_labels,
        "",  # the title says what the numbers are; an axis label would sit under the legend
        10,
        series=short,
        bar_name=survey_round.name if series else "",
        note=" ".join(["Source:", lines[0], *(f"{n}." for n in named)]),
    )
    headers = ["Measure", survey_round.name, *(s.name for s in series)]
    rows = [
        [label, text, *("" if s.values[i] is None else f"{s.values[i]:.1f}" for s in series)]
        for i, (label, text) in enumerate(zip(labels, value_labels, strict=True))
    ]
    pairs = list(zip(labels, value_labels, strict=True))
    for s in series:
        pairs += [
            (f"{label}, {s.name}", f"{v:.1f}")
            for label, v in zip(labels, s.values, strict=True)
            if v is not None
        ]
    return ChartBlock(
        "wellbeing-averages",
        title,
        takeaway,
        alt_text("Bar chart", title, takeaway, pairs) + " " + " ".join(lines),
        cached_svg("bar", chart.data(), partial(bar_chart_svg, chart)),
        Table("Average scores (0 to 10)", headers, rows),
    )


def _takeaway(means: dict[str, float | None], series: list[Series]) -> str:
    satisfied = means["ONS1"]
    if satisfied is None:
        return "Too few people answered to show average scores."
    text = f"Average life satisfaction was {satisfied:.1f} out of 10"
    if series and series[0].values[0] is not None:
        text += f", against {series[0].values[0]:.1f} in {series[0].name}"
    return text + "."


def _band_table(
    tables: dict[str, dict], column: str | None, refs: dict[str, list[ReferenceFigure]]
) -> Table:
    reference_sources: list[str] = []
    for measure in MEASURES:
        for item in measure.bands:
            for figure in refs.get(f"{measure.code}:{item.key}", []):
                if figure.source not in reference_sources:
                    reference_sources.append(figure.source)
    reference_sources = reference_sources[:MOST_SOURCES]
    rows = []
    for measure in MEASURES:
        table = SuppressedTable.from_json(tables[measure.code])
        answered = table.column_total(column)
        for item in measure.bands:
            count = table.cell(item.name, column)
            figures = {f.source: f for f in refs.get(f"{measure.code}:{item.key}", [])}
            rows.append(
                [
                    f"{measure.name}: {item.name}",
                    count,
                    share_text(count, answered),
                    *(
                        f"{figures[s].percent:.0f}%" if s in figures else ""
                        for s in reference_sources
                    ),
                ]
            )
        rows.append([f"{measure.name}: answered", answered, "", *("" for _ in reference_sources)])
    return Table(
        "People in each ONS threshold band",
        ["Measure and band", "People", "Share", *reference_sources],
        rows,
    )


# --- What travels to other councils ------------------------------------------------------------


def exchange_figures(survey_round: SurveyRound) -> dict[str, Any] | None:
    """The module's figures in a benchmarking file (app.board.benchmark, which adds its
    questions for the compatibility check): its key and version, and, per measure, the people
    who answered, the people in each ONS band and the average, exactly as the board's snapshot
    shows them for all ages (so a hidden count travels as its label and a hidden average as
    null). Each score's own count (0 to 10) does not travel: the board never publishes it.
    Call after the board's snapshot is current (``app.board.services.analyse``); None for a
    round without the module."""
    module = survey_round.wellbeing_module
    if module is None:
        return None
    snapshot = db.session.scalar(
        sa.select(BoardSnapshot).where(BoardSnapshot.round_id == survey_round.id)
    )
    data = snapshot.data if snapshot is not None else {}
    measures = []
    if "wellbeing" in data:
        for measure in MEASURES:
            table = SuppressedTable.from_json(data["wellbeing"][measure.code])
            measures.append(
                {
                    "code": measure.code,
                    "answered": table.column_total(None),
                    "mean": data["wellbeing_means"][measure.code]["mean"],
                    "bands": {item.key: table.cell(item.name) for item in measure.bands},
                }
            )
    return {
        "key": module.key,
        "version": module.version,
        "title": module.title,
        "wellbeing": measures,
    }


def exchange_measures() -> list[tuple[str, str, bool]]:
    """(key, label, is an average) of every well-being figure compared between councils, in
    the order shown: each measure's average score, then its share of people in each band."""
    found = []
    for measure in MEASURES:
        found.append((f"{measure.code}:{MEAN}", f"{_label(measure)}: average score", True))
        found += [
            (f"{measure.code}:{item.key}", f"{measure.name}: {item.name}", False)
            for item in measure.bands
        ]
    return found


def data_sheets(found: WellbeingSection | None) -> list[Sheet]:
    """The board's XLSX sheet for the module: the averages beside the reference figures, the
    people in each ONS band and the source lines, exactly the section's protected figures."""
    if found is None or found.chart is None or found.bands is None:
        return []
    averages, bands = found.chart.table, found.bands
    rows: list[list[Any]] = [
        ["Personal well-being (ONS4)"],
        [found.chart.takeaway],
        *([note] for note in found.notes),
        [],
        [averages.caption],
        averages.headers,
        *averages.rows,
        [],
        [bands.caption],
        bands.headers,
        *bands.rows,
        [],
        *([line] for line in found.source_lines),
    ]
    return [
        Sheet(
            "Personal well-being",
            rows,
            header_row=None,
            freeze=None,
            numbers_from_text=True,
            title_row=True,
            widths={"A": 48.0},
        )
    ]
