"""Self-assessments for the board: charts (on the round page and in the board pack) and the
pack's section. Every chart is drawn by app/core/charts.py and has a title, a one-line
takeaway, alt text and a data table (services.ChartBlock), like the rest of the board's."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.board.assessments.frameworks import Framework, frameworks
from app.board.assessments.models import AssessmentRound
from app.board.assessments.services import (
    AssessmentView,
    RoundView,
    change_text,
    round_view,
    score_text,
)
from app.board.services import ChartBlock, Table
from app.core.charts import (
    BarChart,
    MultiLineChart,
    Series,
    bar_chart_svg,
    cached_svg,
    multi_line_chart_svg,
)
from app.core.extensions import db


def _alt(kind: str, title: str, takeaway: str, pairs: list[tuple[str, str]]) -> str:
    listed = "; ".join(f"{label}: {value}" for label, value in pairs) or "no data"
    return f"{kind} titled {title}. {takeaway} The data: {listed}."


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def history(latest: AssessmentRound) -> list[RoundView]:
    """The framework's rounds up to and including ``latest``, oldest first."""
    found = db.session.scalars(
        sa.select(AssessmentRound)
        .where(
            AssessmentRound.framework == latest.framework,
            AssessmentRound.held_on <= latest.held_on,
        )
        .order_by(AssessmentRound.held_on)
    )
    return [round_view(r) for r in found]


def _out_of(framework: Framework) -> str:
    return f"Score ({framework.lowest} to {framework.highest})"


def _group_sentence(view: AssessmentView) -> str:
    if view.score is None:
        return f"{view.label}: not scored yet."
    since = (
        f", {change_text(view.change)} since {view.earlier_round.name}"
        if view.earlier_round is not None
        else ", the first time they scored it"
    )
    return f"{view.label} scored {score_text(view.score)} out of {view.framework.highest}{since}."


def summary(view: RoundView) -> list[str]:
    return [_group_sentence(view.staff), _group_sentence(view.young_people)]


def _over_time(framework: Framework, rounds: list[RoundView]) -> ChartBlock:
    title = f"{framework.short_title}: overall score, staff and young people"
    labels = [r.round.name for r in rounds]
    staff = [r.staff.score for r in rounds]
    young = [r.young_people.score for r in rounds]
    takeaway = " ".join(summary(rounds[-1]))
    chart = MultiLineChart(
        title,
        labels,
        [Series("Staff", staff), Series("Young people", young)],
        _out_of(framework),
        float(framework.highest),
    )
    rows = [
        [label, score_text(s), score_text(y)]
        for label, s, y in zip(labels, staff, young, strict=True)
    ]
    return ChartBlock(
        f"sa-{framework.key}-overall",
        title,
        takeaway,
        _alt(
            "Line chart",
            title,
            takeaway,
            [(row[0], f"staff {row[1]}, young people {row[2]}") for row in rows],
        ),
        cached_svg("multiline", chart.data(), lambda: multi_line_chart_svg(chart)),
        Table(
            f"{framework.short_title}: overall score", ["Assessment", "Staff", "Young people"], rows
        ),
    )


def _by_section(view: AssessmentView) -> ChartBlock:
    framework = view.framework
    title = f"{framework.short_title}: {view.label.lower()}'s score by section"
    labels = [s.section.title for s in view.sections]
    now = [s.score for s in view.sections]
    earlier = [s.earlier for s in view.sections]
    changes = [s.change for s in view.sections]
    shown = [
        score_text(n) + (f" ({change_text(c)})" if c is not None else "")
        for n, c in zip(now, changes, strict=True)
    ]
    moved = [(s.section.title, s.change) for s in view.sections if s.change is not None]
    if view.earlier_round is None or not moved:
        takeaway = f"{view.label}: no earlier score to compare with."
    else:
        best = max(moved, key=lambda pair: pair[1])
        worst = min(moved, key=lambda pair: pair[1])
        takeaway = (
            f"Since {view.earlier_round.name}, the {view.label.lower()}'s best change was "
            f"\u201c{best[0]}\u201d ({change_text(best[1])}) and the weakest was "
            f"\u201c{worst[0]}\u201d ({change_text(worst[1])})."
        )
    chart = BarChart(
        title,
        [_wrap(label) for label in labels],
        now,
        shown,
        _out_of(framework),
        maximum=float(framework.highest),
        series=[Series("Last time", earlier)] if view.earlier_round is not None else [],
        bar_name="This time",
    )
    rows = [
        [label, score_text(n), score_text(e), change_text(c)]
        for label, n, e, c in zip(labels, now, earlier, changes, strict=True)
    ]
    return ChartBlock(
        f"sa-{framework.key}-{view.group.value}",
        title,
        takeaway,
        _alt("Bar chart", title, takeaway, [(row[0], f"{row[1]}, {row[3]}") for row in rows]),
        cached_svg("bar", chart.data(), lambda: bar_chart_svg(chart)),
        Table(
            f"{title} ({framework.lowest} to {framework.highest})",
            ["Section", "This time", "Last time", "Change"],
            rows,
        ),
    )


def _friend(framework: Framework, rounds: list[RoundView]) -> ChartBlock | None:
    rated = [
        r for r in rounds if r.round.rating_now is not None or r.round.rating_improving is not None
    ]
    if not rated:
        return None
    latest = rounds[-1].round
    title = f"{framework.short_title}: the critical friend's ratings"
    labels = [r.round.name for r in rated]
    now = [r.round.rating_now for r in rated]
    improving = [r.round.rating_improving for r in rated]

    def text(value: int | None) -> str:
        return "not rated" if value is None else f"{value} out of 10"

    takeaway = (
        f"In {rated[-1].round.name}: {latest.rating_now_label.lower()}, "
        f"{text(rated[-1].round.rating_now)}; {latest.rating_improving_label.lower()}, "
        f"{text(rated[-1].round.rating_improving)}."
    )
    chart = MultiLineChart(
        title,
        labels,
        [
            Series(latest.rating_now_label, [None if v is None else float(v) for v in now]),
            Series(
                latest.rating_improving_label,
                [None if v is None else float(v) for v in improving],
            ),
        ],
        "Rating (0 to 10)",
        10.0,
        "{:.0f}",
    )
    rows = [[label, text(n), text(i)] for label, n, i in zip(labels, now, improving, strict=True)]
    return ChartBlock(
        f"sa-{framework.key}-friend",
        title,
        takeaway,
        _alt("Line chart", title, takeaway, [(row[0], f"{row[1]}, {row[2]}") for row in rows]),
        cached_svg("multiline", chart.data(), lambda: multi_line_chart_svg(chart)),
        Table(
            title,
            ["Assessment", latest.rating_now_label, latest.rating_improving_label],
            rows,
        ),
    )


def charts(rounds: list[RoundView]) -> list[ChartBlock]:
    latest = rounds[-1]
    found = [
        _over_time(latest.framework, rounds),
        _by_section(latest.staff),
        _by_section(latest.young_people),
    ]
    friend = _friend(latest.framework, rounds)
    return [*found, friend] if friend is not None else found


def round_charts(view: RoundView) -> list[ChartBlock]:
    return charts(history(view.round))


@dataclass
class FrameworkReport:
    framework: Framework
    latest: RoundView
    rounds: list[RoundView]
    summary: list[str]
    charts: list[ChartBlock]


def pack_section(on: date) -> list[FrameworkReport]:
    """For the board pack: each framework's latest assessment on or before ``on``."""
    found = []
    for framework in frameworks().values():
        latest = db.session.scalar(
            sa.select(AssessmentRound)
            .where(AssessmentRound.framework == framework.key, AssessmentRound.held_on <= on)
            .order_by(AssessmentRound.held_on.desc())
            .limit(1)
        )
        if latest is None:
            continue
        rounds = history(latest)
        found.append(
            FrameworkReport(framework, rounds[-1], rounds, summary(rounds[-1]), charts(rounds))
        )
    return found
