"""The board's dashboard: who was heard and how, what they said, what is being done.

Routes, the board pack (pack.py) and the XLSX data pack all read one ``Dashboard`` built here,
so the page, the PDF and the spreadsheet can never disagree.

Decisions a newcomer might undo:
- Every count of people goes through app.core.statistics: breakdowns are whole tables (rows by age
  band, with totals) suppressed by ``suppress_table``, and a page for one age band shows that
  band's column of the same table. Nothing here prints a raw count of people that has not been
  through it. Counts of actions and meetings are not counts of people and are not suppressed.
- Shares of a closed question are of everyone who responded (including those who skipped it),
  so a share cannot be turned back into the hidden number who skipped.
- Response rates are only for everyone: we do not know how many care leavers in each age band
  were eligible. Eligible is the round's cohort size; where invitations were sent, the number
  invited is shown too (and used when no cohort size is set).
- No raw free text reaches the board: themes are counted, "other - describe" answers only count
  as "Other", and the only words of young people shown are quotes approved in the themes area.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from flask import url_for

from app.board.models import BoardMeeting, BoardPack, BoardRequest, ReferenceFigure
from app.core.charts import OKABE_ITO, BarChart, LineChart, Series, bar_chart_svg, cached_svg
from app.core.charts import line_chart_svg as draw_line
from app.core.clock import today
from app.core.extensions import db
from app.core.statistics import (
    SuppressedTable,
    fewer_than,
    is_suppressed,
    share,
    suppress,
    suppress_table,
)
from app.outreach.invitations.models import Invitation
from app.staff.audit.services import record
from app.staff.authority.services import get_settings
from forum.models import (
    STATUS_LABELS,
    ActionStatus,
    Attendance,
    ForumMeeting,
    ForumMember,
    ItemSource,
    YouSaid,
)
from forum.services import last_board_meeting_on, since_report, tracker
from surveys.engine import YES_NO_UNSURE
from surveys.models import CHANNEL_LABELS, Answer, Channel, Question, Response, SurveyRound
from surveys.themes import services as theme_services
from surveys.themes.charts import theme_chart_svg
from surveys.themes.models import Coding, Theme, coding_theme
from surveys.themes.results import AGE_BANDS, UNKNOWN, Results, ThemeRow, age_band

BANDS = [label for label, _, _ in AGE_BANDS] + [UNKNOWN]
CLOSED_KINDS = ("single_choice", "multi_choice", "yes_no_unsure", "scale")
NOT_ANSWERED = "Did not answer"
TOP_THEMES = 8
ROUNDS_COMPARED = 4
RAG_COLOURS = {"red": OKABE_ITO[3], "amber": OKABE_ITO[1], "green": OKABE_ITO[2], "none": "#6f777b"}
RAG_NAMES = {
    "red": "Red (overdue)",
    "amber": "Amber (at risk)",
    "green": "Green (on track or done)",
    "none": "Won't do",
}


class BoardError(Exception):
    """A rule was broken; the message says how to fix it."""


# --- Rounds and filters -----------------------------------------------------------------------


def rounds() -> list[SurveyRound]:
    """Rounds that have opened (not drafts), newest first."""
    return list(
        db.session.scalars(
            sa.select(SurveyRound)
            .where(SurveyRound.status != "draft")
            .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
        )
    )


def get_round(round_id: int | None) -> SurveyRound | None:
    if round_id:
        found = db.session.get(SurveyRound, round_id)
        return found if found and found.status != "draft" else None
    listed = rounds()
    return listed[0] if listed else None


def band_choices() -> list[tuple[str, str]]:
    return [("", "All ages")] + [(b, b) for b in BANDS[:-1]]


# --- Counting one round -----------------------------------------------------------------------


@dataclass
class RoundAnalysis:
    """Every suppressed table of one round; columns are age bands."""

    survey_round: SurveyRound
    raw_total: int  # complete responses, for the method note's arithmetic only: never shown
    channels: SuppressedTable
    closed: dict[str, tuple[Question, SuppressedTable]]
    themes: SuppressedTable | None
    coded: SuppressedTable | None  # one row: people whose answers are coded, by band
    theme_names: dict[str, str]
    eligible: int | None
    invited: int


def _closed_questions(survey_round: SurveyRound) -> list[Question]:
    return [q for q in survey_round.questionnaire.questions if q.kind in CLOSED_KINDS]


def _options(question: Question) -> list[tuple[str, str]]:
    if question.kind == "yes_no_unsure":
        return list(YES_NO_UNSURE.items())
    if question.kind == "scale":
        return [(str(n), str(n)) for n in range(0, 11)]
    return [(o["value"], o["label"]) for o in question.options or []]


def _respondents(survey_round: SurveyRound) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete responses (id, channel, band) and their closed answers (id, code, choice)."""
    questions = {q.id: q for q in survey_round.questionnaire.questions}
    wanted = [i for i, q in questions.items() if q.kind in (*CLOSED_KINDS, "date_of_birth")]
    people = db.session.execute(
        sa.select(Response.id, Response.channel).where(
            Response.round_id == survey_round.id, Response.status == "complete"
        )
    ).all()
    answers = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(
            Response.round_id == survey_round.id,
            Response.status == "complete",
            Answer.skipped.is_(False),
            Answer.question_id.in_(wanted),
        )
    ).all()
    ages: dict[int, int] = {}
    chosen = []
    for response_id, question_id, value in answers:
        question = questions[question_id]
        value = value or {}
        if question.kind == "date_of_birth":
            if "age" in value:
                ages[response_id] = value["age"]
            continue
        if question.kind == "multi_choice":
            picks = value.get("choices") or []
        elif question.kind == "scale":
            picks = [str(value.get("score"))] if value.get("score") is not None else []
        else:
            picks = [value["choice"]] if value.get("choice") else []
        for pick in picks:
            chosen.append((response_id, question.code, str(pick)))
    frame = pd.DataFrame(people, columns=["id", "channel"])
    frame["band"] = [age_band(ages.get(i)) for i in frame["id"]]
    return frame, pd.DataFrame(chosen, columns=["id", "code", "choice"])


def _by_band(frame: pd.DataFrame, column: str) -> dict[str, dict[str, int]]:
    if not len(frame):
        return {}
    counts = frame.groupby([column, "band"])["id"].nunique()
    table: dict[str, dict[str, int]] = {}
    for key, n in counts.items():
        row, band = cast("tuple[str, str]", key)  # grouped by two text columns
        table.setdefault(row, {})[band] = int(n)
    return table


def analyse(survey_round: SurveyRound) -> RoundAnalysis:
    people, chosen = _respondents(survey_round)
    channel_counts = _by_band(people, "channel")
    order = [
        c.value for c in Channel if c.value in set(survey_round.channels) | set(channel_counts)
    ]
    channels = suppress_table(
        {CHANNEL_LABELS[Channel(c)]: channel_counts.get(c, {}) for c in order}, BANDS
    )
    bands = dict(zip(people["id"], people["band"], strict=True))
    closed = {}
    for question in _closed_questions(survey_round):
        picked = chosen[chosen["code"] == question.code].copy()
        picked["band"] = picked["id"].map(bands)
        counts = _by_band(picked, "choice")
        rows: dict[str, Mapping[Any, int]] = {
            label: counts.get(value, {}) for value, label in _options(question)
        }
        answered = set(picked["id"])
        skipped = people[~people["id"].isin(answered)]
        multiple = question.kind == "multi_choice"
        if not multiple:
            rows[NOT_ANSWERED] = skipped.groupby("band")["id"].nunique().to_dict()
        closed[question.code] = (question, suppress_table(rows, BANDS, rows_add_up=not multiple))
    themes, coded, names = _themes(survey_round, bands)
    return RoundAnalysis(
        survey_round=survey_round,
        raw_total=len(people),
        channels=channels,
        closed=closed,
        themes=themes,
        coded=coded,
        theme_names=names,
        eligible=survey_round.cohort_size,
        invited=_invited(survey_round),
    )


def _invited(survey_round: SurveyRound) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Invitation.id)).where(Invitation.round_id == survey_round.id)
        )
        or 0
    )


def _themes(survey_round: SurveyRound, bands: dict[int, str]):
    """Themes by age band, counted in people, from the first coding of each piece of text.

    One query (the themes area's own results page walks codings one by one, which is too slow
    for a dashboard of thousands of responses). Sub-themes count under their top theme.
    """
    codebook = theme_services.codebook_for(survey_round)
    if codebook is None:
        return None, None, {}
    top = [t for t in theme_services.themes_in_order(codebook) if t.parent_id is None]
    names = {t.key: t.name for t in top}
    by_id: dict[int | None, Theme] = {t.id: t for t in codebook.themes}  # looked up by parent_id
    top_key = {t.id: (by_id.get(t.parent_id) or t).key for t in codebook.themes}
    rows = db.session.execute(
        sa.select(Answer.response_id, coding_theme.c.theme_id)
        .select_from(Coding)
        .join(Answer, Answer.id == Coding.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(coding_theme, coding_theme.c.coding_id == Coding.id)
        .where(
            Coding.round_id == survey_round.id,
            Coding.pass_no == 1,
            Response.round_id == survey_round.id,
            Response.status == "complete",
            Answer.skipped.is_(False),
        )
    ).all()
    frame = pd.DataFrame(
        [(rid, top_key.get(tid) if tid else None) for rid, tid in rows], columns=["id", "theme"]
    )
    if not len(frame):
        return suppress_table({t.key: {} for t in top}, BANDS, rows_add_up=False), None, names
    frame["band"] = frame["id"].map(lambda i: bands.get(i, UNKNOWN))
    counts = _by_band(frame.dropna(subset=["theme"]), "theme")
    themes = suppress_table({t.key: counts.get(t.key, {}) for t in top}, BANDS, rows_add_up=False)
    coded = suppress_table({"coded": frame.groupby("band")["id"].nunique().to_dict()}, BANDS)
    return themes, coded, names


# --- What the page shows ----------------------------------------------------------------------


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


@dataclass
class Headline:
    responses: int | str
    eligible: int | None
    invited: int
    rate: int | None
    target: int
    previous_rate: int | None
    previous_name: str
    channels_used: int


@dataclass
class QuoteGroup:
    theme: str
    quotes: list[str]


@dataclass
class ActionSummary:
    since: date
    by_rating: dict[str, int]
    by_status: dict[str, int]
    overdue: list[dict]
    done_since: list[dict]
    new_since: int
    total: int
    rows: list[dict] = field(default_factory=list)


@dataclass
class ForumSummary:
    since: date
    meetings: list[tuple[date, int | str]]
    members: int | str
    attendances: int


@dataclass
class Dashboard:
    survey_round: SurveyRound
    band: str
    on: date
    authority: str
    headline: Headline
    notice: str  # said plainly when the round is empty or everything is suppressed
    response_charts: list[ChartBlock]
    closed_charts: list[ChartBlock]
    closed_notes: list[str]
    theme_chart: ChartBlock | None
    theme_note: str
    quotes: list[QuoteGroup]
    action_charts: list[ChartBlock]
    actions: ActionSummary
    forum_chart: ChartBlock | None
    forum: ForumSummary
    comparison: Table
    summary: list[str]
    last_meeting: date
    meetings: list[BoardMeeting] = field(default_factory=list)

    @property
    def charts(self) -> list[ChartBlock]:
        found = [*self.response_charts, *self.closed_charts]
        if self.theme_chart:
            found.append(self.theme_chart)
        found += self.action_charts
        if self.forum_chart:
            found.append(self.forum_chart)
        return found

    @property
    def band_label(self) -> str:
        return self.band or "All ages"


def percent(part: int, whole: int | None) -> int | None:
    if not whole:
        return None
    return math.floor(part * 100 / whole + 0.5)


def pct_text(value: float | None) -> str:
    return fewer_than() if value is None else f"{value:.0f}%"


def _count_text(value: int | str) -> str:
    return str(value)


def _rate(analysis: RoundAnalysis) -> int | None:
    total = analysis.channels.total
    whole = analysis.eligible or analysis.invited or None
    if is_suppressed(total):
        return None
    return percent(int(total), whole)


def _alt(kind: str, title: str, takeaway: str, pairs: list[tuple[str, str]]) -> str:
    listed = "; ".join(f"{label}: {value}" for label, value in pairs) or "no data"
    return f"{kind} titled {title}. {takeaway} The data: {listed}."


def last_meeting_on(on: date | None = None) -> date:
    """The latest board meeting before ``on``; three months back if none is recorded."""
    on = on or today()
    held = db.session.scalar(
        sa.select(sa.func.max(BoardMeeting.held_on)).where(BoardMeeting.held_on < on)
    )
    if held:
        return held

    return last_board_meeting_on(on)


def dashboard(survey_round: SurveyRound, band: str = "", on: date | None = None) -> Dashboard:
    on = on or today()
    band = band if band in BANDS else ""
    column = band or None
    analysis = analyse(survey_round)
    history = _history(survey_round, analysis)
    previous = history[-2] if len(history) > 1 else None
    total = analysis.channels.column_total(column)
    rate = _rate(analysis)
    headline = Headline(
        responses=total,
        eligible=analysis.eligible,
        invited=analysis.invited,
        rate=rate,
        target=survey_round.target_rate,
        previous_rate=_rate(previous) if previous else None,
        previous_name=previous.survey_round.name if previous else "",
        channels_used=sum(
            1 for row in analysis.channels.rows if analysis.channels.cell(row, column) != 0
        ),
    )
    if total == 0:
        notice = (
            "Nobody has answered this round yet"
            + (f" in the {band} age band" if band else "")
            + ", so there is nothing to show about what care leavers said."
        )
    elif is_suppressed(total):
        notice = (
            f"Fewer than {5} care leavers answered"
            + (f" in the {band} age band" if band else " in this round")
            + ". To keep them from being identified, we do not show any numbers about their "
            "answers: every figure below is hidden."
        )
    else:
        notice = ""
    since = last_meeting_on(on)
    response_charts = _response_charts(analysis, history, column, headline) if not notice else []
    closed_charts, closed_notes = (
        _closed_charts(analysis, previous, column) if not notice else ([], [])
    )
    theme_chart, theme_note, quotes = _theme_section(analysis, previous, column, bool(notice))
    actions = _actions(since, on)
    forum = _forum(since, on)
    board = Dashboard(
        survey_round=survey_round,
        band=band,
        on=on,
        authority=get_settings().name,
        headline=headline,
        notice=notice,
        response_charts=response_charts,
        closed_charts=closed_charts,
        closed_notes=closed_notes,
        theme_chart=theme_chart,
        theme_note=theme_note,
        quotes=quotes,
        action_charts=_action_charts(actions),
        actions=actions,
        forum_chart=_forum_chart(forum),
        forum=forum,
        comparison=_comparison(history, column),
        summary=[],
        last_meeting=since,
        meetings=meetings(),
    )
    board.summary = _summary(board, analysis)
    return board


def _history(survey_round: SurveyRound, analysis: RoundAnalysis) -> list[RoundAnalysis]:
    """This round and up to three earlier ones (imported rounds included), oldest first."""
    earlier = [
        r
        for r in rounds()
        if r.id != survey_round.id and (r.opens_on, r.id) < (survey_round.opens_on, survey_round.id)
    ][: ROUNDS_COMPARED - 1]
    return [analyse(r) for r in reversed(earlier)] + [analysis]


def _response_charts(analysis, history, column, headline) -> list[ChartBlock]:
    table = analysis.channels
    base = table.column_total(column)
    labels = list(table.rows)
    shown = [table.cell(row, column) for row in labels]
    values = [share(v, base) for v in shown]
    value_labels = [
        str(v) if is_suppressed(v) else f"{v} ({pct_text(p)})"
        for v, p in zip(shown, values, strict=True)
    ]
    present = [(label, v) for label, v in zip(labels, shown, strict=True) if not is_suppressed(v)]
    top = max(present, key=lambda p: p[1]) if present else None
    takeaway = (
        f"{top[0]} was the most used way to answer: {top[1]} of {base} people."
        if top and top[1]
        else "Too few people answered to show how they answered."
    )
    title = "How care leavers answered"
    chart = BarChart(title, labels, values, value_labels, "Share of people who answered (%)", 100)
    blocks = [
        ChartBlock(
            "channels",
            title,
            takeaway,
            _alt("Bar chart", title, takeaway, list(zip(labels, value_labels, strict=True))),
            cached_svg("bar", chart.data(), lambda: bar_chart_svg(chart)),
            Table(
                f"People who answered, by how they answered ({base} in all)",
                ["How they answered", "People", "Share"],
                [
                    [label, v, pct_text(p)]
                    for label, v, p in zip(labels, shown, values, strict=True)
                ],
            ),
        )
    ]
    names = [a.survey_round.name for a in history]
    rates = [_rate(a) for a in history]
    targets = [a.survey_round.target_rate for a in history]
    rate_labels = [pct_text(r) if r is not None else "not known" for r in rates]
    title = "Response rate, round by round"
    latest = rates[-1]
    if latest is None:
        takeaway = "We cannot give a response rate for this round."
    else:
        verdict = "met" if latest >= targets[-1] else "did not meet"
        takeaway = (
            f"{latest}% of care leavers answered this round: "
            f"it {verdict} the {targets[-1]}% target."
        )
        if len(rates) > 1 and rates[-2] is not None:
            change = latest - rates[-2]
            word = "up" if change > 0 else "down" if change < 0 else "the same as"
            takeaway += (
                f" That is {word} {abs(change)} points on {names[-2]}."
                if change
                else f" That is the same as {names[-2]}."
            )
    line = LineChart(
        title,
        [_short(n) for n in names],
        [float(r) if r is not None else None for r in rates],
        rate_labels,
        "Response rate (%)",
        target=[float(t) for t in targets],
        target_name="Target",
        line_name="Response rate",
    )
    eligible = [a.eligible or a.invited or "not known" for a in history]
    blocks.append(
        ChartBlock(
            "rate-over-time",
            title,
            takeaway,
            _alt(
                "Line chart",
                title,
                takeaway,
                [
                    (n, f"{r} against a target of {t}%")
                    for n, r, t in zip(names, rate_labels, targets, strict=True)
                ],
            ),
            cached_svg("line", line.data(), lambda: draw_line(line)),
            Table(
                "Response rate by round (everyone, all ages)",
                ["Round", "Answered", "Eligible", "Response rate", "Target"],
                [
                    [n, a.channels.total, e, r, f"{t}%"]
                    for n, a, e, r, t in zip(
                        names, history, eligible, rate_labels, targets, strict=True
                    )
                ],
            ),
        )
    )
    return blocks


def _short(name: str) -> str:
    """'Northbridge care leavers survey 2026' -> '2026' when names end in a year."""
    last = name.split()[-1] if name.split() else name
    return last if last.isdigit() else name[:24]


def _closed_charts(analysis, previous, column) -> tuple[list[ChartBlock], list[str]]:
    blocks, notes = [], []
    references = reference_figures()
    for code, (question, table) in analysis.closed.items():
        base = table.column_total(column)
        labels = [r for r in table.rows if r != NOT_ANSWERED]
        if question.kind == "multi_choice":
            base = analysis.channels.column_total(column)
        answered = [table.cell(r, column) for r in labels]
        if all(v == 0 for v in answered):
            notes.append(f"{code} {question.web_text} Nobody answered this question.")
            continue
        values = [share(v, base) for v in answered]
        series = []
        before = previous.closed.get(code) if previous else None
        if before:
            old_table = before[1]
            old_base = old_table.column_total(column)
            series.append(
                Series(
                    previous.survey_round.name,
                    [
                        share(old_table.cell(r, column), old_base) if r in old_table.rows else None
                        for r in labels
                    ],
                )
            )
        option_keys = {label: value for value, label in _options(question)}
        refs = [references.get(f"{code}:{option_keys.get(r)}") for r in labels]
        if any(refs):
            source = next(r for r in refs if r).source
            series.append(Series(source, [r.percent if r else None for r in refs]))
        value_labels = [
            str(v) if is_suppressed(v) else f"{pct_text(p)} ({v})"
            for v, p in zip(answered, values, strict=True)
        ]
        present = [
            (lab, v, p) for lab, v, p in zip(labels, answered, values, strict=True) if p is not None
        ]
        if present:
            top = max(present, key=lambda x: x[1])
            takeaway = (
                f"The most common answer was \u201c{top[0]}\u201d: {pct_text(top[2])} "
                f"of the {base} people who responded."
            )
        else:
            takeaway = "Too few people gave each answer to show the numbers."
        title = f"{code}: {question.web_text}"
        chart = BarChart(
            title,
            [_wrap(lab) for lab in labels],
            values,
            value_labels,
            "Share of people who responded (%)",
            100,
            series=series,
            bar_name=analysis.survey_round.name if series else "",
        )
        headers = ["Answer", "People", "Share"]
        rows = [[lab, v, pct_text(p)] for lab, v, p in zip(labels, answered, values, strict=True)]
        if NOT_ANSWERED in table.rows:
            rows.append([NOT_ANSWERED, table.cell(NOT_ANSWERED, column), ""])
        for s in series:
            headers.append(s.name)
            for row, value in zip(rows, [*s.values, None], strict=False):
                row.append(pct_text(value) if value is not None else "")
        blocks.append(
            ChartBlock(
                f"question-{code}",
                title,
                takeaway,
                _alt("Bar chart", title, takeaway, list(zip(labels, value_labels, strict=True))),
                cached_svg("bar", chart.data(), partial(bar_chart_svg, chart)),
                Table(f"Answers to {code} ({base} people responded)", headers, rows),
            )
        )
    return blocks, notes


def _wrap(label: str, width: int = 38) -> str:
    if len(label) <= width:
        return label
    words, lines, line = label.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3]) + ("\u2026" if len(lines) > 3 else "")


def _theme_section(analysis, previous, column, hide: bool):
    quotes = _quotes(analysis.survey_round)
    if analysis.themes is None:
        return None, "Answers in this round have not been coded into themes yet.", quotes
    if hide:
        return None, "", quotes
    base = analysis.coded.column_total(column) if analysis.coded else 0
    if base == 0:
        return None, "Answers in this round have not been coded into themes yet.", quotes
    old = previous.themes if previous and previous.themes else None
    old_base = previous.coded.column_total(column) if previous and previous.coded else 0
    rows = []
    for key in analysis.themes.rows:
        shown = analysis.themes.cell(key, column)
        before = share(old.cell(key, column), old_base) if old and key in old.rows else None
        rows.append(
            ThemeRow(
                key,
                analysis.theme_names[key],
                0 if is_suppressed(shown) else shown,
                shown,
                share(shown, base),
                before,
            )
        )
    rows.sort(key=lambda r: (-(r.share or 0), -(r.count or 0), r.name))
    rows = [r for r in rows if r.shown != 0][:TOP_THEMES]
    results = Results(
        analysis.survey_round,
        "",
        base if isinstance(base, int) else 0,
        rows,
        previous_round=previous.survey_round if old else None,
    )

    takeaway = results.takeaway
    if rows and rows[0].share is not None and rows[0].previous_share is not None:
        change = rows[0].share - rows[0].previous_share
        takeaway += f" Last round it was {rows[0].previous_share:.0f}%."
        del change
    title = f"Themes in {analysis.survey_round.name}"  # as theme_chart_svg titles it
    data = {
        "rows": [[r.key, r.name, r.shown, r.share, r.previous_share] for r in rows],
        "round": analysis.survey_round.name,
        "previous": results.previous_round.name if results.previous_round else None,
    }
    headers = ["Theme", "People", "Share"]
    if old:
        headers += [f"Share in {previous.survey_round.name}", "Change (points)"]
    table_rows = []
    for r in rows:
        line = [r.name, r.shown, pct_text(r.share)]
        if old:
            line.append(
                pct_text(r.previous_share)
                if r.previous_share is not None
                else "fewer than 5 or none"
            )
            line.append(
                f"{r.share - r.previous_share:+.0f}"
                if r.share is not None and r.previous_share is not None
                else "not known"
            )
        table_rows.append(line)
    block = ChartBlock(
        "themes",
        title,
        takeaway,
        _alt("Bar chart", title, takeaway, [(r.name, r.share_text) for r in rows]),
        cached_svg("themes", data, lambda: theme_chart_svg(results)),
        Table(f"Themes raised ({base} people whose answers are coded)", headers, table_rows),
    )
    return block, "", quotes


def _quotes(survey_round: SurveyRound, per_theme: int = 3) -> list[QuoteGroup]:
    """Approved quotes only (board or public audience), grouped under their top theme."""
    groups: dict[str, QuoteGroup] = {}
    for quote in theme_services.approved_quotes(survey_round):
        theme = quote.theme
        top = theme.parent if theme is not None and theme.parent else theme
        name = top.name if top else "Other"
        group = groups.setdefault(name, QuoteGroup(name, []))
        if len(group.quotes) < per_theme:
            group.quotes.append(quote.text)
    return list(groups.values())


def _actions(since: date, on: date) -> ActionSummary:
    report = since_report(since, on)
    rows = tracker(on=on)
    by_status = {label: 0 for label in STATUS_LABELS.values()}
    for row in rows:
        by_status[STATUS_LABELS[ActionStatus(row.action.status)]] += 1

    def line(row) -> dict:
        action = row.action
        return {
            "topic": action.item.topic,
            "what": action.what,
            "who": action.owner_team or (action.owner.name if action.owner else "No owner"),
            "due": action.due_on,
            "done": action.completed_on,
            "rating": row.rating.text,
        }

    return ActionSummary(
        since=since,
        by_rating=report.counts_by_rating,
        by_status=by_status,
        overdue=[line(r) for r in report.overdue],
        done_since=[line(r) for r in report.completed],
        new_since=len(report.new_actions),
        total=len(rows),
        rows=[line(r) for r in rows],
    )


def _bar_block(
    key: str,
    title: str,
    takeaway: str,
    labels: list[str],
    shown: list,
    axis: str,
    table: tuple[str, str],
    colours: list[str] | None = None,
) -> ChartBlock:
    """A bar chart of counts with its alt text and data table (``table``: title, first column)."""
    values = [None if is_suppressed(v) else float(v) for v in shown]
    chart = BarChart(title, labels, values, [str(v) for v in shown], axis, colours=colours)
    return ChartBlock(
        key,
        title,
        takeaway,
        _alt("Bar chart", title, takeaway, list(zip(labels, map(str, shown), strict=True))),
        cached_svg("bar", chart.data(), lambda: bar_chart_svg(chart)),
        Table(
            table[0],
            [table[1], axis],
            [[label, v] for label, v in zip(labels, shown, strict=True)],
        ),
    )


def _action_charts(actions: ActionSummary) -> list[ChartBlock]:
    if not actions.total:
        return []
    keys = ["red", "amber", "green", "none"]
    red = actions.by_rating.get("red", 0)
    rating = _bar_block(
        "actions-rating",
        "Actions by rating",
        f"{red} of {actions.total} actions {'is' if red == 1 else 'are'} overdue; "
        f"{len(actions.done_since)} were done since the last board meeting.",
        [RAG_NAMES[k] for k in keys],
        [actions.by_rating.get(k, 0) for k in keys],
        "Actions",
        ("Actions by rating", "Rating"),
        colours=[RAG_COLOURS[k] for k in keys],
    )
    progress = _bar_block(
        "actions-status",
        "Actions by progress",
        f"{actions.by_status.get('Done', 0)} of {actions.total} actions are done.",
        list(actions.by_status),
        list(actions.by_status.values()),
        "Actions",
        ("Actions by progress", "Progress"),
    )
    return [rating, progress]


def _forum(since: date, on: date) -> ForumSummary:
    held = list(
        db.session.scalars(
            sa.select(ForumMeeting)
            .where(ForumMeeting.held_on >= since, ForumMeeting.held_on <= on)
            .order_by(ForumMeeting.held_on)
        )
    )
    counts = dict(
        db.session.execute(
            sa.select(Attendance.meeting_id, sa.func.count())
            .where(Attendance.meeting_id.in_([m.id for m in held]))
            .group_by(Attendance.meeting_id)
        )
        .tuples()
        .all()
    )
    members = db.session.scalar(
        sa.select(sa.func.count(ForumMember.id)).where(
            ForumMember.left_on.is_(None), ForumMember.erased_on.is_(None)
        )
    )
    return ForumSummary(
        since=since,
        meetings=[(m.held_on, suppress(int(counts.get(m.id, 0)))) for m in held],
        members=suppress(int(members or 0)),
        attendances=sum(int(v) for v in counts.values()),
    )


def _forum_chart(forum: ForumSummary) -> ChartBlock | None:
    if not forum.meetings:
        return None
    labels = [d.strftime("%-d %b %Y") for d, _ in forum.meetings]
    return _bar_block(
        "forum",
        "Forum meetings since the last board meeting",
        f"The forum met {len(labels)} time{'s' if len(labels) != 1 else ''} since "
        f"{forum.since.strftime('%-d %B %Y')}.",
        labels,
        [v for _, v in forum.meetings],
        "Young people who came",
        ("Forum meetings and how many came", "Meeting"),
    )


def _comparison(history: list[RoundAnalysis], column) -> Table:
    references = reference_figures()
    headers = ["Measure"] + [a.survey_round.name for a in history]
    has_reference = bool(references)
    if has_reference:
        headers.append("Reference figure")
    rows: list[list] = []

    def add(key: str, label: str, values: list[str]) -> None:
        line = [label, *values]
        if has_reference:
            ref = references.get(key)
            line.append(f"{ref.percent:.0f}% ({ref.source})" if ref else "")
        rows.append(line)

    add(
        "responses",
        "Care leavers who answered",
        [str(a.channels.column_total(column)) for a in history],
    )
    add(
        "response_rate",
        "Response rate (everyone)",
        [
            pct_text(_rate(a))
            if _rate(a) is not None or is_suppressed(a.channels.total)
            else "not known"
            for a in history
        ],
    )
    latest = history[-1]
    for code, (question, _) in latest.closed.items():
        if question.kind not in ("single_choice", "yes_no_unsure"):
            continue
        for value, label in _options(question):
            cells = []
            for a in history:
                found = a.closed.get(code)
                if not found or label not in found[1].rows:
                    cells.append("not asked")
                    continue
                table = found[1]
                cells.append(pct_text(share(table.cell(label, column), table.column_total(column))))
            add(f"{code}:{value}", f"{code} {label}", cells)
    themes = latest.themes
    if themes is not None:

        def shown(key: Hashable) -> int:
            value = themes.cell(key, column)
            return 0 if is_suppressed(value) else value

        ranked = sorted(themes.rows, key=lambda k: -shown(k))[:5]
        for key in ranked:
            cells = []
            for a in history:
                if a.themes is None or key not in a.themes.rows or a.coded is None:
                    cells.append("not coded")
                    continue
                cells.append(
                    pct_text(share(a.themes.cell(key, column), a.coded.column_total(column)))
                )
            add(f"theme:{key}", f"Theme: {latest.theme_names[str(key)]}", cells)
    return Table("Each round side by side", headers, rows)


def _times(n: int) -> str:
    return {0: "no times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _are(n: int) -> str:
    return f"{n} is" if n == 1 else f"{n} are"


def _summary(board: Dashboard, analysis: RoundAnalysis) -> list[str]:
    h = board.headline
    lines = []
    who = f"care leavers aged {board.band}" if board.band else "care leavers"
    if board.notice:
        lines.append(board.notice)
    else:
        heard = f"We heard from {h.responses} {who} in {board.survey_round.name}"
        if h.rate is not None and not board.band:
            heard += f": {h.rate}% of the {h.eligible or h.invited} we wanted to hear from"
        lines.append(heard + ".")
    if h.rate is not None:
        met = "We met" if h.rate >= h.target else "We did not meet"
        line = f"{met} our target of {h.target}%."
        if h.previous_rate is not None:
            line += f" Last time ({h.previous_name}) it was {h.previous_rate}%."
        lines.append(line)
    if board.response_charts:
        lines.append(board.response_charts[0].takeaway)
    if board.theme_chart:
        lines.append(board.theme_chart.takeaway)
    a = board.actions
    since = board.last_meeting.strftime("%-d %B %Y")
    lines.append(
        f"There are {a.total} actions. {_are(a.by_rating.get('red', 0))} overdue. "
        f"{len(a.done_since)} were done and {a.new_since} were added since the last board "
        f"meeting on {since}."
    )
    f = board.forum
    lines.append(f"The care leavers' forum met {_times(len(f.meetings))} since {since}.")
    return lines


# --- Reference figures ------------------------------------------------------------------------


def reference_figures() -> dict[str, ReferenceFigure]:
    found = db.session.scalars(sa.select(ReferenceFigure).order_by(ReferenceFigure.id))
    return {f.measure: f for f in found}


def measure_choices(survey_round: SurveyRound | None) -> list[tuple[str, str]]:
    choices = [("response_rate", "Response rate")]
    if survey_round is not None:
        for question in _closed_questions(survey_round):
            if question.kind in ("single_choice", "yes_no_unsure"):
                for value, label in _options(question):
                    choices.append((f"{question.code}:{value}", f"{question.code} {label}"))
    return choices


def save_reference(measure: str, source: str, percent_value: float, year: int | None):
    figure = db.session.scalar(
        sa.select(ReferenceFigure).where(
            ReferenceFigure.measure == measure, ReferenceFigure.source == source
        )
    ) or ReferenceFigure(measure=measure, source=source)
    figure.percent = percent_value
    figure.year = year
    db.session.add(figure)
    db.session.flush()
    record("board.reference", figure, detail=f"{measure} {percent_value}% ({source})")
    db.session.commit()
    return figure


def delete_reference(figure: ReferenceFigure) -> None:
    record("board.reference.delete", figure, detail=f"{figure.measure} ({figure.source})")
    db.session.delete(figure)
    db.session.commit()


# --- Board meetings ---------------------------------------------------------------------------


def meetings() -> list[BoardMeeting]:
    return list(db.session.scalars(sa.select(BoardMeeting).order_by(BoardMeeting.held_on.desc())))


def get_meeting(meeting_id: int) -> BoardMeeting | None:
    return db.session.get(BoardMeeting, meeting_id)


def save_meeting(meeting: BoardMeeting | None, values: dict) -> BoardMeeting:
    meeting = meeting or BoardMeeting()
    meeting.held_on = values["held_on"]
    meeting.title = values.get("title") or "Corporate parenting board"
    meeting.decisions = values.get("decisions") or ""
    meeting.pack_id = values.get("pack_id") or None
    db.session.add(meeting)
    db.session.flush()
    record("board.meeting.save", meeting, detail=meeting.held_on.isoformat())
    db.session.commit()
    return meeting


def add_request(meeting: BoardMeeting, text: str, topic: str) -> BoardRequest:
    """The board asked for something: it becomes a "you said" item from the board."""
    text = (text or "").strip()
    if not text:
        raise BoardError("Enter what the board asked for")
    item = YouSaid(
        text=text,
        topic=(topic or "").strip() or "Corporate parenting board",
        source=ItemSource.BOARD.value,
        raised_on=meeting.held_on,
    )
    request = BoardRequest(meeting=meeting, text=text, item=item)
    db.session.add_all([item, request])
    db.session.flush()
    record("board.request", request, detail=text[:200])
    db.session.commit()
    return request


def pack_choices() -> list[BoardPack]:
    return list(
        db.session.scalars(
            sa.select(BoardPack)
            .where(BoardPack.status == "done")
            .order_by(BoardPack.created_at.desc())
            .limit(50)
        )
    )
