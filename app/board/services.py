"""The board's dashboard: who was heard and how, what they said, what is being done.

Routes, the board pack (pack.py) and the XLSX data pack all read one ``Dashboard`` built here,
so the page, the PDF and the spreadsheet can never disagree.

Decisions a newcomer might undo:
- Every count of people goes through app.core.disclosure: breakdowns are whole tables (rows by age
  band, with totals) suppressed by ``suppress_table``, and a page for one age band shows that
  band's column of the same table. Nothing here prints a raw count of people that has not been
  through it. Counts of actions and meetings are not counts of people and are not suppressed.
- Shares of a closed question are of everyone who responded (including those who skipped it),
  so a share cannot be turned back into the hidden number who skipped.
- Response rates are only for everyone: we do not know how many care leavers in each age band
  were eligible. The rate is the one definition in surveys/response_rate.py (completed responses
  from any channel ÷ eligible care leavers on the list at the round's opening), with the
  snapshot's count of responses, so the page, the pack and the XLSX agree with each other and
  with the round page as at the snapshot.
- No raw free text reaches the board: themes are counted, "other - describe" answers only count
  as "Other", and the only words of young people shown are quotes approved in the themes area.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa

from app.board import wellbeing
from app.board.blocks import ChartBlock, Table, alt_text, pct_text, share_text
from app.board.models import BoardMeeting, BoardPack, BoardRequest, BoardSnapshot, ReferenceFigure
from app.core.charts import OKABE_ITO, BarChart, LineChart, Series, bar_chart_svg, cached_svg
from app.core.charts import line_chart_svg as draw_line
from app.core.clock import today
from app.core.disclosure import (
    KEY,
    TOTAL,
    Publication,
    SuppressedTable,
    certainly_largest,
    fewer_than,
    is_primary,
    is_suppressed,
    method_note,
    share,
    snapshot_step,
    suppress,
)
from app.core.extensions import db
from app.outreach.invitations.models import Invitation
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from app.staff.authority.services import get_settings
from forum import services as forum_services
from forum.models import (
    STATUS_LABELS,
    ActionStatus,
    Attendance,
    BoardReply,
    ForumMeeting,
    ForumMember,
    ItemSource,
    YouSaid,
)
from forum.services import PlanView, last_board_meeting_on, plan_view, since_report, tracker
from surveys.engine import YES_NO_UNSURE
from surveys.models import CHANNEL_LABELS, Answer, Channel, Question, Response, SurveyRound
from surveys.response_rate import Basis, ResponseRate, response_rate
from surveys.themes import services as theme_services
from surveys.themes.charts import theme_chart_svg
from surveys.themes.models import Coding, Theme, coding_theme
from surveys.themes.results import (
    AGE_BANDS,
    CODED_ENOUGH,
    UNKNOWN,
    Results,
    ThemeRow,
    age_band,
)
from surveys.wellbeing import reference_measures

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


def band_choices(analysis: RoundAnalysis | None = None) -> list[tuple[str, str]]:
    return [("", "All ages")] + [(b, b) for b in offered_bands(analysis)]


def offered_bands(analysis: RoundAnalysis | None) -> list[str]:
    """Age bands the filter offers: those whose number of people is shown and not 0. A band
    that is not offered (too few people, or hidden) cannot be reached by its address either."""
    if analysis is None:
        return []
    shown = {b: analysis.channels.column_total(b) for b in BANDS[:-1]}
    return [b for b, n in shown.items() if not is_suppressed(n) and n]


# --- Counting one round -----------------------------------------------------------------------


@dataclass
class RoundAnalysis:
    """Every suppressed table of one round, as at its snapshot; columns are age bands."""

    survey_round: SurveyRound
    raw_total: int  # complete responses, for the method note's arithmetic only: never shown
    channels: SuppressedTable
    closed: dict[str, tuple[Question, SuppressedTable]]
    themes: dict[str, SuppressedTable]  # by free-text question (Q4 best things, Q5 worst)
    coded: dict[str, SuppressedTable]  # per question, one row: people whose answer is coded
    coded_share: dict[str, int]  # per question: % of its answers coded so far
    theme_names: dict[str, str]
    theme_questions: dict[str, str]  # code -> wording
    eligible: int | None
    invited: int
    as_at: date
    rate: ResponseRate  # the snapshot's responses over the round's fixed denominator


PEOPLE = "people"  # the table name of the people in each band, shared by every table


def _closed_questions(survey_round: SurveyRound) -> list[Question]:
    return [q for q in survey_round.questionnaire.questions if q.kind in CLOSED_KINDS]


def _options(question: Question) -> list[tuple[str, str]]:
    if question.kind == "yes_no_unsure":
        return list(YES_NO_UNSURE.items())
    if question.kind == "scale":
        return [(str(n), str(n)) for n in range(0, 11)]
    return [(o["value"], o["label"]) for o in question.options or []]


def _respondents(
    survey_round: SurveyRound,
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """Complete responses (id, channel, band) and their closed answers (id, code, choice).

    Plain lists, counted by ``_by_band``: a round is a few thousand rows, which Python counts
    in milliseconds, and the web process that moves a snapshot then never loads pandas (about
    45 MB and 0.2 s)."""
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
    return [(i, channel, age_band(ages.get(i))) for i, channel in people], chosen


def _by_band(rows: Iterable[tuple[int, str, str]]) -> dict[str, dict[str, int]]:
    """{row: {band: people}} from (person, row, band) triples: each person once a cell."""
    people: dict[str, dict[str, set[int]]] = {}
    for person, row, band in rows:
        people.setdefault(row, {}).setdefault(band, set()).add(person)
    return {row: {band: len(ids) for band, ids in cells.items()} for row, cells in people.items()}


def _per_band(people: Iterable[int], bands: Mapping[int, str]) -> dict[str, int]:
    """{band: people} of these people (each once)."""
    counted: dict[str, int] = {}
    for person in set(people):
        band = bands.get(person, UNKNOWN)
        counted[band] = counted.get(band, 0) + 1
    return counted


def _counts(survey_round: SurveyRound) -> tuple[Publication, dict[str, Any]]:
    """Every figure of the round the board sees, as one publication, and where each table is."""
    people, chosen = _respondents(survey_round)
    publication = Publication()
    channel_counts = _by_band(people)
    order = [
        c.value for c in Channel if c.value in set(survey_round.channels) | set(channel_counts)
    ]
    shared = {b: (PEOPLE, TOTAL, b) for b in BANDS}
    everyone = (PEOPLE, TOTAL, TOTAL)
    layout: dict[str, Any] = {"closed": {}, "themes": {}, "coded": {}}
    layout["channels"] = publication.table(
        "channels",
        {CHANNEL_LABELS[Channel(c)]: channel_counts.get(c, {}) for c in order},
        BANDS,
        column_totals=shared,
        total=everyone,
    )
    bands = {i: band for i, _, band in people}
    by_question: dict[str, list[tuple[int, str]]] = {}
    for i, code, choice in chosen:
        by_question.setdefault(code, []).append((i, choice))
    for question in _closed_questions(survey_round):
        picked = by_question.get(question.code, [])
        # A response that became complete between the two reads is counted next time.
        counts = _by_band((i, choice, bands[i]) for i, choice in picked if i in bands)
        rows: dict[str, Mapping[Any, int]] = {
            label: counts.get(value, {}) for value, label in _options(question)
        }
        answered = {i for i, _ in picked if i in bands}
        multiple = question.kind == "multi_choice"
        if not multiple:
            rows[NOT_ANSWERED] = _per_band((i for i in bands if i not in answered), bands)
        layout["closed"][question.code] = publication.table(
            f"closed:{question.code}",
            rows,
            BANDS,
            rows_add_up=not multiple,
            column_totals=shared,
            total=everyone,
        )
    _themes(survey_round, bands, publication, layout, shared)
    wellbeing.add_counts(survey_round, bands, BANDS, shared, everyone, publication, layout)
    return publication, layout


def _themes(survey_round, bands, publication: Publication, layout, shared) -> None:
    """Themes by age band for each free-text question, counted in people, from the first coding
    of each piece of text. Sub-themes count under their top theme.

    One query (the themes area's own results page walks codings one by one, which is too slow
    for a dashboard of thousands of responses).
    """
    codebook = theme_services.codebook_for(survey_round)
    layout["names"], layout["questions"], layout["share"] = {}, {}, {}
    if codebook is None:
        return
    top = [t for t in theme_services.themes_in_order(codebook) if t.parent_id is None]
    layout["names"] = {t.key: t.name for t in top}
    by_id: dict[int | None, Theme] = {t.id: t for t in codebook.themes}  # looked up by parent_id
    top_key = {t.id: (by_id.get(t.parent_id) or t).key for t in codebook.themes}
    rows = db.session.execute(
        sa.select(Answer.response_id, Question.code, coding_theme.c.theme_id)
        .select_from(Coding)
        .join(Answer, Answer.id == Coding.answer_id)
        .join(Question, Question.id == Answer.question_id)
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
    by_question: dict[str, list[tuple[int, str | None]]] = {}
    for rid, code, tid in rows:
        by_question.setdefault(code, []).append((rid, top_key.get(tid) if tid else None))
    progress = theme_services.progress(
        theme_services.units(survey_round), theme_services.codings(survey_round, 1)
    )
    for row in progress:
        if row.total == 0 or row.code not in by_question:
            continue
        layout["questions"][row.code] = row.wording
        layout["share"][row.code] = math.floor(100 * row.coded / row.total)
        mine = by_question[row.code]
        coded = layout["coded"][row.code] = publication.table(
            f"coded:{row.code}",
            {"coded": _per_band((rid for rid, _ in mine), bands)},
            BANDS,
        )
        for band in [*BANDS, None]:  # nobody is coded who did not answer
            publication.within(coded.cell("coded", band), shared.get(band, (PEOPLE, TOTAL, TOTAL)))
        counts = _by_band(
            (rid, theme, bands.get(rid, UNKNOWN)) for rid, theme in mine if theme is not None
        )
        layout["themes"][row.code] = publication.table(
            f"themes:{row.code}",
            {t.key: counts.get(t.key, {}) for t in top},
            BANDS,
            rows_add_up=False,
            column_totals={b: coded.cell("coded", b) for b in BANDS},
            total=coded.cell("coded", None),
        )


def _moved(survey_round: SurveyRound, snapshot: BoardSnapshot | None) -> bool:
    """Whether the board's figures for this round may move now."""
    if snapshot is None:
        return True
    closed = survey_round.status == "closed"
    if closed and not snapshot.closed:
        return True
    step = snapshot_step()
    complete = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.round_id == survey_round.id, Response.status == "complete"
        )
    )
    coded = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Answer.response_id)))
        .select_from(Coding)
        .join(Answer, Answer.id == Coding.answer_id)
        .where(Coding.round_id == survey_round.id, Coding.pass_no == 1)
    )
    return (complete or 0) >= snapshot.responses + step or (coded or 0) >= snapshot.coded + step


def _key(value: list) -> tuple:
    return tuple(value)


def _link_earlier(publication: Publication, history: list[list]) -> None:
    """Every earlier snapshot's figures (oldest first), with the same sums, and counts of people
    only grow from one snapshot to the next and on to now.

    All of them, not only the last: a board member may keep every paper, and two old snapshots
    with the new one could pin a cell that no pair of neighbours does.
    """
    now = {k: v for k, v in publication.values.items() if k[0] != "before"}
    snapshots: list[tuple[tuple, dict]] = []
    for number, figures in enumerate(history):
        prefix = ("before", number)
        old = {_key(key): value for key, value, _ in figures}
        for key, value, shown in figures:
            publication.earlier((*prefix, *key), value, shown)
        for parts, total in [(p, t) for p, t in publication.sums if t[0] != "before"]:
            if total in old and all(p in old for p in parts):
                publication.adds_up([(*prefix, *p) for p in parts], (*prefix, *total))
        for part, whole in [(p, w) for p, w in publication.limits if p[0] != "before"]:
            if part in old and whole in old:
                publication.within((*prefix, *part), (*prefix, *whole))
        snapshots.append((prefix, old))
    snapshots.append(((), now))
    for (older, then), (newer, later) in itertools.pairwise(snapshots):
        for key, value in then.items():
            if key in later and later[key] >= value:
                publication.within((*older, *key), (*newer, *key))


def _published_before(snapshot: BoardSnapshot | None) -> list[list]:
    """Every snapshot of the round published so far, oldest first (their figures)."""
    if snapshot is None:
        return []
    return [*snapshot.data.get("earlier", []), snapshot.data["figures"]]


def take_snapshot(survey_round: SurveyRound, before: BoardSnapshot | None) -> BoardSnapshot:
    """Count the round, protect it against every snapshot published before, and store it."""
    publication, layout = _counts(survey_round)
    history = _published_before(before)
    _link_earlier(publication, history)
    protected = publication.protect()
    current = [k for k in publication.values if k[0] != "before"]
    data = {
        "figures": [[list(k), publication.values[k], protected[k]] for k in current],
        "earlier": history,
        "channels": layout["channels"].published(protected).to_json(),
        "closed": {c: t.published(protected).to_json() for c, t in layout["closed"].items()},
        "themes": {c: t.published(protected).to_json() for c, t in layout["themes"].items()},
        "coded": {c: t.published(protected).to_json() for c, t in layout["coded"].items()},
        "names": layout["names"],
        "questions": layout["questions"],
        "share": layout["share"],
    }
    data |= wellbeing.snapshot_means(layout, protected, before.data if before else None)
    snapshot = before or BoardSnapshot(round_id=survey_round.id)
    snapshot.as_at = today()
    snapshot.responses = int(publication.values[(PEOPLE, TOTAL, TOTAL)])
    snapshot.coded = len(
        {
            rid
            for (rid,) in db.session.execute(
                sa.select(Answer.response_id)
                .select_from(Coding)
                .join(Answer, Answer.id == Coding.answer_id)
                .where(Coding.round_id == survey_round.id, Coding.pass_no == 1)
            )
        }
    )
    snapshot.closed = survey_round.status == "closed"
    snapshot.data = data
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def analyse(survey_round: SurveyRound) -> RoundAnalysis:
    """The round's figures as at its snapshot (moved first if enough has changed)."""
    snapshot = db.session.scalar(
        sa.select(BoardSnapshot).where(BoardSnapshot.round_id == survey_round.id)
    )
    if _moved(survey_round, snapshot):
        snapshot = take_snapshot(survey_round, snapshot)
    assert snapshot is not None
    data = snapshot.data
    questions = {q.code: q for q in _closed_questions(survey_round)}
    rate = response_rate(survey_round, responded=snapshot.responses)
    return RoundAnalysis(
        survey_round=survey_round,
        raw_total=snapshot.responses,
        channels=SuppressedTable.from_json(data["channels"]),
        closed={
            code: (questions[code], SuppressedTable.from_json(t))
            for code, t in data["closed"].items()
            if code in questions
        },
        themes={c: SuppressedTable.from_json(t) for c, t in data["themes"].items()},
        coded={c: SuppressedTable.from_json(t) for c, t in data["coded"].items()},
        coded_share=dict(data["share"]),
        theme_names=dict(data["names"]),
        theme_questions=dict(data["questions"]),
        eligible=rate.eligible,
        invited=_invited(survey_round),
        as_at=snapshot.as_at,
        rate=rate,
    )


def _invited(survey_round: SurveyRound) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Invitation.id)).where(Invitation.round_id == survey_round.id)
        )
        or 0
    )


# --- What the page shows ----------------------------------------------------------------------


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
    rate_explanation: str = ""  # the definition, and "staff estimate" where that is the base
    rate_basis: Basis | None = None


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
    theme_charts: list[ChartBlock]
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
    plan: PlanView | None = None
    replies: list[BoardReply] = field(default_factory=list)  # since the last meeting
    as_at: date | None = None  # the snapshot's date: figures do not move per response
    privacy_key: str = KEY
    method_note: str = ""
    wellbeing: wellbeing.WellbeingSection | None = None  # a round with the ONS4 module

    @property
    def charts(self) -> list[ChartBlock]:
        found = [*self.response_charts, *self.closed_charts]
        found += self.theme_charts
        found += self.action_charts
        if self.forum_chart:
            found.append(self.forum_chart)
        return found

    @property
    def band_label(self) -> str:
        return self.band or "All ages"


def _count_text(value: int | str) -> str:
    return str(value)


def _rate(analysis: RoundAnalysis) -> int | None:
    if is_suppressed(analysis.channels.total):
        return None
    return analysis.rate.percent


def _eligible_text(rate: ResponseRate) -> str | int:
    if rate.eligible is None:
        return "not known"
    return rate.eligible if rate.basis == Basis.LIST else f"{rate.eligible} (staff estimate)"


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
    analysis = analyse(survey_round)
    band = band if band in offered_bands(analysis) else ""
    column = band or None
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
        rate_explanation=analysis.rate.explanation,
        rate_basis=analysis.rate.basis,
    )
    if total == 0:
        notice = (
            "Nobody has answered this round yet"
            + (f" in the {band} age band" if band else "")
            + ", so there is nothing to show about what care leavers said."
        )
    elif is_suppressed(total) and not is_primary(total):
        notice = (
            "The number of care leavers who answered is hidden to protect privacy, so we do "
            "not show any numbers about their answers."
        )
    elif is_suppressed(total):
        notice = (
            f"{fewer_than().capitalize()} care leavers answered"
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
    theme_charts, theme_note, quotes = _theme_section(analysis, previous, column, bool(notice))
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
        theme_charts=theme_charts,
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
        plan=plan_view(on),
        replies=forum_services.board_replies(since=since),
        as_at=analysis.as_at,
        method_note=method_note(),
        wellbeing=None if notice else wellbeing.section(survey_round, column, analysis.as_at),
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
        str(v) if is_suppressed(v) else f"{v} ({share_text(v, base)})"
        for v, p in zip(shown, values, strict=True)
    ]
    present = [(label, v) for label, v in zip(labels, shown, strict=True) if not is_suppressed(v)]
    top = max(present, key=lambda p: p[1]) if present else None
    if top and top[1] and certainly_largest(top[1], shown, base):
        takeaway = f"{top[0]} was the most used way to answer: {top[1]} of {base} people."
    elif top and top[1]:
        takeaway = (
            "Some ways of answering are hidden to protect privacy, so we cannot say which "
            "was used most."
        )
    else:
        takeaway = "Too few people answered to show how they answered."
    title = "How care leavers answered"
    chart = BarChart(title, labels, values, value_labels, "Share of people who answered (%)", 100)
    blocks = [
        ChartBlock(
            "channels",
            title,
            takeaway,
            alt_text("Bar chart", title, takeaway, list(zip(labels, value_labels, strict=True))),
            cached_svg("bar", chart.data(), lambda: bar_chart_svg(chart)),
            Table(
                f"People who answered, by how they answered ({base} in all)",
                ["How they answered", "People", "Share"],
                [[label, v, share_text(v, base)] for label, v in zip(labels, shown, strict=True)],
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
    eligible = [_eligible_text(a.rate) for a in history]
    blocks.append(
        ChartBlock(
            "rate-over-time",
            title,
            takeaway,
            alt_text(
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
            str(v) if is_suppressed(v) else f"{share_text(v, base)} ({v})"
            for v, p in zip(answered, values, strict=True)
        ]
        present = [
            (lab, v, p) for lab, v, p in zip(labels, answered, values, strict=True) if p is not None
        ]
        line_cells = [table.cell(r, column) for r in table.rows]
        top = max(present, key=lambda x: x[1]) if present else None
        if top and not certainly_largest(
            top[1], line_cells, base, adds_up=question.kind != "multi_choice"
        ):
            takeaway = (
                "Some answers are hidden to protect privacy, so we cannot say which was "
                "the most common."
            )
        elif top:
            takeaway = (
                f"The most common answer was \u201c{top[0]}\u201d: {pct_text(top[2])} "
                f"of the {base} people who responded."
            )
        else:
            takeaway = "Too few people gave each answer to show the numbers."
        title = f"{code}: {question.web_text}"
        chart = BarChart(
            title,
            labels,
            values,
            value_labels,
            "Share of people who responded (%)",
            100,
            series=series,
            bar_name=analysis.survey_round.name if series else "",
            label_lines=3,  # the table under the chart has each answer whole
        )
        headers = ["Answer", "People", "Share"]
        rows = [[lab, v, share_text(v, base)] for lab, v in zip(labels, answered, strict=True)]
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
                alt_text(
                    "Bar chart", title, takeaway, list(zip(labels, value_labels, strict=True))
                ),
                cached_svg("bar", chart.data(), partial(bar_chart_svg, chart)),
                Table(f"Answers to {code} ({base} people responded)", headers, rows),
            )
        )
    return blocks, notes


def _theme_section(analysis, previous, column, hide: bool):
    """One chart per free-text question (Q4 best things and Q5 worst things apart, never pooled).

    Themes are listed in the codebook's order, not ranked, when any is hidden to protect
    privacy (a hidden theme could be the biggest); comparisons with the last round wait until
    at least 90% of both rounds' answers to the question are coded, and until then the chart
    says it is provisional and how much is coded.
    """
    quotes = _quotes(analysis.survey_round)
    if not analysis.themes:
        return [], "Answers in this round have not been coded into themes yet.", quotes
    if hide:
        return [], "", quotes
    blocks = []
    for code, themes in analysis.themes.items():
        coded = analysis.coded[code]
        base = coded.cell("coded", column)
        if base == 0:
            continue
        done = analysis.coded_share.get(code, 0)
        old = previous.themes.get(code) if previous else None
        old_base = previous.coded[code].cell("coded", column) if old else 0
        comparable = bool(
            old and done >= CODED_ENOUGH and previous.coded_share.get(code, 0) >= CODED_ENOUGH
        )
        rows = []
        for key in themes.rows:
            shown = themes.cell(key, column)
            before = (
                share(old.cell(key, column), old_base)
                if comparable and old is not None and key in old.rows
                else None
            )
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
        cells = [r.shown for r in rows]
        ranked = not any(is_suppressed(v) and not is_primary(v) for v in cells)
        if ranked:
            rows.sort(key=lambda r: (-(r.share or 0), -(r.count or 0), r.name))
            rows = [r for r in rows if r.shown != 0][:TOP_THEMES]
        else:
            rows = [r for r in rows if r.shown != 0]
        question = analysis.theme_questions.get(code, "")
        present = [r for r in rows if r.share is not None and r.count]
        top = max(present, key=lambda r: r.count) if present else None
        if top and certainly_largest(top.count, cells, base, adds_up=False):
            takeaway = (
                f"{top.name} came up most: {top.share:.0f}% of the {base} people whose "
                "answers are coded mentioned it."
            )
        elif top:
            takeaway = (
                "Some themes are hidden to protect privacy, so we cannot say which came up most."
            )
        else:
            takeaway = "Not enough answers are coded yet to say what people raised most."
        if done < 100:
            takeaway += f" Provisional: {done}% of the answers to {code} are coded so far."
        if comparable and top and top.previous_share is not None:
            takeaway += f" Last round it was {top.previous_share:.0f}%."
        results = Results(
            analysis.survey_round,
            code,
            base if isinstance(base, int) else 0,
            rows,
            previous_round=previous.survey_round if comparable else None,
        )
        title = f"Themes in {code}"  # as theme_chart_svg titles it; the wording follows
        if question:
            takeaway = f"{question} {takeaway}"
        data = {
            "rows": [[r.key, r.name, r.shown, r.share, r.previous_share] for r in rows],
            "round": analysis.survey_round.name,
            "question": code,
            "previous": previous.survey_round.name if comparable else None,
        }
        headers = ["Theme", "People", "Share"]
        if comparable:
            headers += [f"Share in {previous.survey_round.name}", "Change (points)"]
        table_rows = []
        for r in rows:
            line = [r.name, r.shown, share_text(r.shown, base)]
            if comparable:
                line.append(
                    pct_text(r.previous_share) if r.previous_share is not None else "not shown"
                )
                line.append(
                    f"{r.share - r.previous_share:+.0f}"
                    if r.share is not None and r.previous_share is not None
                    else "not known"
                )
            table_rows.append(line)
        blocks.append(
            ChartBlock(
                f"themes-{code}",
                title,
                takeaway,
                alt_text("Bar chart", title, takeaway, [(r.name, r.share_text) for r in rows]),
                cached_svg("themes", data, partial(theme_chart_svg, results)),
                Table(
                    f"Themes raised in {code} ({base} people whose answers are coded"
                    + ("" if done >= 100 else f"; provisional, {done}% coded")
                    + ")",
                    headers,
                    table_rows,
                ),
            )
        )
    note = "" if blocks else "Answers in this round have not been coded into themes yet."
    return blocks, note, quotes


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
            "id": action.id,
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
        alt_text("Bar chart", title, takeaway, list(zip(labels, map(str, shown), strict=True))),
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
                cells.append(share_text(table.cell(label, column), table.column_total(column)))
            add(f"{code}:{value}", f"{code} {label}", cells)
    for code, themes in latest.themes.items():
        for key in themes.rows:  # the codebook's order: a ranking could put a hidden one last
            cells = []
            for a in history:
                if code not in a.themes or key not in a.themes[code].rows:
                    cells.append("not coded")
                    continue
                text = share_text(
                    a.themes[code].cell(key, column), a.coded[code].cell("coded", column)
                )
                if a.coded_share.get(code, 0) < CODED_ENOUGH:
                    text += f" (provisional: {a.coded_share.get(code, 0)}% coded)"
                cells.append(text)
            add(f"theme:{code}:{key}", f"{code} theme: {latest.theme_names[str(key)]}", cells)
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
            heard += f": {h.rate}% of the {h.eligible} {analysis.rate.of_whom}"
        lines.append(heard + ".")
    if h.rate is not None:
        met = "We met" if h.rate >= h.target else "We did not meet"
        line = f"{met} our target of {h.target}%."
        if h.previous_rate is not None:
            line += f" Last time ({h.previous_name}) it was {h.previous_rate}%."
        lines.append(line)
    if board.response_charts:
        lines.append(board.response_charts[0].takeaway)
    lines += [chart.takeaway for chart in board.theme_charts]
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
    choices = [("response_rate", "Response rate"), *reference_measures()]
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


def reply_choices() -> list[tuple[int, str]]:
    return [(item.id, f"{item.topic}: {item.text[:80]}") for item in forum_services.ask_choices()]


def add_reply(meeting: BoardMeeting, values: dict, actor: StaffUser) -> BoardReply:
    """The board answered one of the forum's asks at this meeting (forum.services records it,
    since the public page shows it)."""
    item = db.session.get(YouSaid, values.get("item_id") or 0)
    if item is None:
        raise BoardError("Choose what the forum asked about")
    try:
        return forum_services.record_board_reply(item, values, meeting.held_on, actor, meeting.id)
    except forum_services.ForumError as exc:
        raise BoardError(str(exc)) from exc


def pack_choices() -> list[BoardPack]:
    return list(
        db.session.scalars(
            sa.select(BoardPack)
            .where(BoardPack.status == "done")
            .order_by(BoardPack.created_at.desc())
            .limit(50)
        )
    )
