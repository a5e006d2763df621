"""Survey rounds for staff: figures for a round, the responses table, the response view, exports.

Decisions a newcomer might otherwise undo:
- Responses hold no date (see surveys/models.py): the by-day figures come from the daily
  tallies, and the responses list, the response page and the exports show the round, never a
  date, and list responses by their random key, never by arrival.
- The round page's figures are a summary, not individual records, so they go through the one
  disclosure rule (app.core.disclosure) like the board's: ``round_publication`` protects the
  headline, by-channel, where-people-stop and by-day figures together, and the response-rate
  dashboard links that publication into its own (the two pages show the same responses).
  ``round_figures`` keeps the exact counts for services (paper keying checks) and is never
  rendered. The responses table, one response and exports are individual records for the
  participation team: every look at one response and every export is written to the audit log,
  because free text can say who someone is.
- Exports stream (issue 20): one statement reads every (response, answer) pair in key order and
  a row is written as each response ends, a CSV line by line into the response, a workbook row
  by row into a temporary file (openpyxl's write-only mode); the rows are never all in memory.
- Exports are one row per response. A "best 3 things" answer gets one column per item
  (Q4_1..Q4_3) and a choice with "Other - describe" gets a second column (Q2_other), so the file
  can be sorted and counted in a spreadsheet without splitting cells.
- Every text cell of every export goes through ``spreadsheet_safe`` (OWASP's advice on CSV
  injection): a cell that starts with = + - @, a tab or a carriage return gets a leading
  apostrophe, so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

if TYPE_CHECKING:
    import pandas as pd

from app.core import clock
from app.core.disclosure import KEY, Protected, Publication, TableKeys, is_suppressed
from app.core.extensions import db
from app.core.frames import pandas
from app.core.spreadsheets import Sheet, csv_lines, xlsx_file
from app.core.spreadsheets import spreadsheet_safe as spreadsheet_safe  # used by exports
from app.staff.audit.services import record
from surveys.engine import YES_NO_UNSURE, answer_summary
from surveys.models import (
    CHANNEL_LABELS,
    Answer,
    Channel,
    Question,
    QuestionKind,
    Response,
    RoundStatus,
    SurveyRound,
)
from surveys.paper.services import awaiting_verification
from surveys.response_rate import ResponseRate, percent, response_rate
from surveys.rounds.tallies import completed_by_day
from surveys.services import (
    SHIPPED,
    RoundInvalid,
    close_round,
    load_questionnaire_file,
    open_round,
    questionnaires,
    shipped_questionnaire_header,
)

PER_PAGE = 25
# Channels a round can offer; "import" is how files collected elsewhere arrive, not a choice.
ROUND_CHANNELS = [c for c in Channel if c != Channel.IMPORT]
STATUS_LABELS = {"complete": "Complete", "in_progress": "In progress"}
SKIPPED = "Skipped"  # what older exports wrote for no answer (imports still read it)


# --- Finding rounds and responses ---------------------------------------------------------


def get_round(round_id: int) -> SurveyRound | None:
    return db.session.get(SurveyRound, round_id)


def get_response(survey_round: SurveyRound, response_id: int) -> Response | None:
    return db.session.scalar(
        sa.select(Response)
        .where(Response.id == response_id, Response.round_id == survey_round.id)
        .options(so.selectinload(Response.answers))
    )


def questionnaire_choices() -> list[tuple[int, str]]:
    """Questionnaire versions a round can use: those stored, then each shipped edition not stored
    yet as a negative choice, loaded only when a round is saved with it (a GET never writes)."""
    found = questionnaires()
    stored = {(q.key, q.version) for q in found}
    choices = [(q.id, q.label + (", locked" if q.is_locked else "")) for q in found]
    for index, name in enumerate(SHIPPED):
        header = shipped_questionnaire_header(name)
        if (header["key"], header["version"]) not in stored:
            choices.append((-(index + 1), f"{header['title']} (version {header['version']})"))
    return choices


def chosen_questionnaire_id(choice: int) -> int:
    """The stored id for a choice from ``questionnaire_choices``, loading a shipped edition."""
    if choice < 0:
        return load_questionnaire_file(SHIPPED[-choice - 1]).id
    return choice


def public_link(survey_round: SurveyRound) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{survey_round.slug}"


def qr_code_svg(survey_round: SurveyRound) -> str:
    """The round's public link as a QR code, an SVG that prints sharply at any size."""
    return qr_svg(public_link(survey_round))


def qr_svg(link: str) -> str:
    """Any link as a QR code SVG (the round's poster, a personal invitation letter)."""
    image = qrcode.make(
        link,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")


# --- Opening and closing ------------------------------------------------------------------


def open_draft(survey_round: SurveyRound) -> SurveyRound:
    """Draft → open. Opening locks the questionnaire version the round uses."""
    if survey_round.status != RoundStatus.DRAFT:
        raise RoundInvalid("Only a draft round can be opened")
    return open_round(survey_round)


def close_open(survey_round: SurveyRound) -> SurveyRound:
    """Open → closed. People who have not finished can no longer resume."""
    if survey_round.status != RoundStatus.OPEN:
        raise RoundInvalid("Only an open round can be closed")
    return close_round(survey_round)


# --- Figures for the round page -----------------------------------------------------------


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    label: str
    complete: int | str
    in_progress: int | str


@dataclass(frozen=True)
class DayFigures:
    day: date
    completed: int | str


@dataclass(frozen=True)
class StoppingPoint:
    code: str
    wording: str
    people: int | str


@dataclass(frozen=True)
class RoundFigures:
    complete: int
    in_progress: int
    rate: ResponseRate  # the one response rate (surveys/response_rate.py)
    completion_rate: int | None  # percent of those who started who finished
    by_channel: list[ChannelFigures]
    by_day: list[DayFigures]
    stopping_points: list[StoppingPoint]
    # Keyed paper forms waiting for double-entry verification: not responses yet, so not
    # counted in any figure above (see surveys/paper/services.py).
    awaiting_verification: int = 0

    @property
    def started(self) -> int:
        return self.complete + self.in_progress


def _responses_frame(survey_round: SurveyRound) -> pd.DataFrame:
    rows = db.session.execute(
        sa.select(
            Response.id,
            Response.channel,
            Response.status,
        ).where(Response.round_id == survey_round.id)
    ).all()
    return (
        pandas()
        .DataFrame(rows, columns=["id", "channel", "status"])
        .astype({"id": "int64", "channel": "object", "status": "object"})
    )


@dataclass(frozen=True)
class PublishedFigures:
    """The round page's figures after disclosure control: each count an int, "fewer than 5" or
    "hidden to protect privacy"; the rate is shown only while the count behind it is."""

    complete: int | str
    in_progress: int | str
    started: int | str
    rate: ResponseRate  # the one response rate (surveys/response_rate.py)
    rate_shown: bool
    completion_rate: int | None
    by_channel: list[ChannelFigures]
    by_day: list[DayFigures]
    stopping_points: list[StoppingPoint]
    awaiting_verification: int = 0
    privacy_key: str = KEY

    @property
    def hidden(self) -> bool:
        return is_suppressed(self.complete) or is_suppressed(self.in_progress)


# The round page's headline figures, under these keys in its publication.
STARTED, COMPLETE, IN_PROGRESS = ("all", "started"), ("all", "complete"), ("all", "in_progress")


@dataclass(frozen=True)
class RoundPublication:
    """The round page's figures as one protected publication: ``shown`` is what the page shows.

    The response-rate dashboard (app.outreach) shows figures of the same round, so it links this
    publication into its own (``Publication.link``) rather than protecting its figures apart."""

    raw: RoundFigures
    publication: Publication
    shown: Protected
    channels: TableKeys  # rows are the channels' labels; columns "complete", "in_progress"
    stops: TableKeys
    days: TableKeys  # rows are ISO dates; column "completed"


def round_publication(survey_round: SurveyRound) -> RoundPublication:
    """``round_figures`` in one publication, with every sum that ties them (channels add up to
    the headline, stopping points to those in progress, the daily tallies to those who finished,
    when they cover every response), protected."""
    raw = round_figures(survey_round)
    publication = Publication()
    everyone = {"complete": COMPLETE, "in_progress": IN_PROGRESS}
    channels = publication.table(
        "channels",
        {
            c.label: {"complete": int(c.complete), "in_progress": int(c.in_progress)}
            for c in raw.by_channel
        },
        ["complete", "in_progress"],
        column_totals=everyone,
        total=STARTED,
    )
    stops = publication.table(
        "stops",
        {p.code: {"in_progress": int(p.people)} for p in raw.stopping_points},
        ["in_progress"],
        column_totals={"in_progress": IN_PROGRESS}
        if sum(int(p.people) for p in raw.stopping_points) == raw.in_progress
        else {},
    )
    days = publication.table(
        "days",
        {d.day.isoformat(): {"completed": int(d.completed)} for d in raw.by_day},
        ["completed"],
        column_totals={"completed": COMPLETE}
        if sum(int(d.completed) for d in raw.by_day) == raw.complete
        else {},
    )
    return RoundPublication(raw, publication, publication.protect(), channels, stops, days)


def published_figures(survey_round: SurveyRound) -> PublishedFigures:
    """``round_figures`` as the page may show them (``round_publication``)."""
    page = round_publication(survey_round)
    raw, shown = page.raw, page.shown
    cells = page.channels.published(shown)
    stop_cells = page.stops.published(shown)
    day_cells = page.days.published(shown)
    done, waiting_shown, begun = shown[COMPLETE], shown[IN_PROGRESS], shown[STARTED]
    exact = not is_suppressed(done)
    return PublishedFigures(
        complete=done,
        in_progress=waiting_shown,
        started=begun,
        rate=raw.rate,
        rate_shown=exact,
        completion_rate=raw.completion_rate if exact and not is_suppressed(begun) else None,
        by_channel=[
            ChannelFigures(
                c.channel,
                c.label,
                cells.cell(c.label, "complete"),
                cells.cell(c.label, "in_progress"),
            )
            for c in raw.by_channel
        ],
        by_day=[
            DayFigures(d.day, day_cells.cell(d.day.isoformat(), "completed")) for d in raw.by_day
        ],
        stopping_points=[
            StoppingPoint(p.code, p.wording, stop_cells.cell(p.code, "in_progress"))
            for p in raw.stopping_points
        ],
        awaiting_verification=raw.awaiting_verification,
    )


def round_figures(survey_round: SurveyRound) -> RoundFigures:
    frame = _responses_frame(survey_round)
    complete = int((frame["status"] == "complete").sum())
    in_progress = len(frame) - complete
    return RoundFigures(
        complete=complete,
        in_progress=in_progress,
        rate=response_rate(survey_round, responded=complete),
        completion_rate=percent(complete, len(frame)),
        by_channel=_by_channel(frame, survey_round),
        by_day=_by_day(survey_round),
        stopping_points=_stopping_points(survey_round),
        awaiting_verification=awaiting_verification(survey_round),
    )


def _by_channel(frame: pd.DataFrame, survey_round: SurveyRound) -> list[ChannelFigures]:
    counts = (
        pandas().crosstab(frame["channel"], frame["status"])
        if len(frame)
        else pandas().DataFrame(columns=["complete", "in_progress"])
    )
    counts = counts.reindex(columns=["complete", "in_progress"], fill_value=0)
    # Channels the round offers, and any other channel with responses, in the usual order.
    offered = set(survey_round.channels) | set(counts.index)
    order = [c.value for c in Channel if c.value in offered]
    counts = counts.reindex(order, fill_value=0)
    return [
        ChannelFigures(
            channel=str(channel),  # the index holds channel values (text)
            label=CHANNEL_LABELS[Channel(str(channel))],
            complete=int(row["complete"]),
            in_progress=int(row["in_progress"]),
        )
        for channel, row in counts.iterrows()
    ]


def _by_day(survey_round: SurveyRound) -> list[DayFigures]:
    """Responses completed on each day that had any, newest first, from the daily tallies:
    responses carry no date (surveys/rounds/tallies.py)."""
    per_day = completed_by_day(survey_round)
    return [DayFigures(day=day, completed=n) for day, n in sorted(per_day.items(), reverse=True)]


def _stopping_points(survey_round: SurveyRound) -> list[StoppingPoint]:
    """For responses in progress, the first question not yet answered or skipped."""
    questions = list(survey_round.questions)
    answered = db.session.execute(
        sa.select(Response.id, Answer.question_id)
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.round_id == survey_round.id, Response.status == "in_progress")
    ).all()
    done: dict[int, set[int]] = {}
    for response_id, question_id in answered:
        done.setdefault(response_id, set())
        if question_id is not None:
            done[response_id].add(question_id)
    stops: dict[str, int] = {}
    for question_ids in done.values():
        first = next((q for q in questions if q.id not in question_ids), None)
        key = first.code if first else ""
        stops[key] = stops.get(key, 0) + 1
    points = [
        StoppingPoint(code=q.code, wording=q.web_text, people=stops[q.code])
        for q in questions
        if q.code in stops
    ]
    if "" in stops:
        points.append(StoppingPoint("", "Answered everything but did not send", stops[""]))
    return points


# --- The responses table ------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFilter:
    channel: str = ""
    status: str = "complete"  # "" means any status


def _filtered(survey_round: SurveyRound, filters: ResponseFilter) -> sa.Select:
    query = sa.select(Response).where(Response.round_id == survey_round.id)
    if filters.channel:
        query = query.where(Response.channel == filters.channel)
    if filters.status:
        query = query.where(Response.status == filters.status)
    return query


def response_page(survey_round: SurveyRound, filters: ResponseFilter, page: int = 1):
    """In key order, which is random, so the list says nothing about who answered when
    (ARCHITECTURE.md, threat model); a Flask-SQLAlchemy pagination object of PER_PAGE."""
    query = _filtered(survey_round, filters).order_by(Response.id)
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def view_response(response: Response) -> list[tuple[Question, str]]:
    """Each question with a plain-text answer, and an audit event saying who looked."""
    answers = {a.question_id: a for a in response.answers}
    rows = [(q, answer_summary(q, answers.get(q.id))) for q in response.round.questions]
    record("response.view", response, detail=f"round {response.round_id}")
    db.session.commit()
    return rows


# --- Exports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    header: str
    question: Question | None
    part: str  # "", "item", "other"
    item: int = 0
    description: str = ""


_FIXED_COLUMNS = [
    ExportColumn("response_id", None, "", description="Response number in Belonging"),
    ExportColumn("channel", None, "", description="How the answers reached us"),
    # No date: a response keeps none, so an export cannot be matched to invitation dates.
    ExportColumn("round", None, "", description="The survey round the response belongs to"),
]


class ExportedResponse(NamedTuple):
    id: int
    channel: str
    round_name: str


class ExportedAnswer(NamedTuple):
    value: dict | None
    skipped: bool


def export_columns(questions: list[Question], most_items: dict[int, int]) -> list[ExportColumn]:
    """One column per piece of an answer. Headers start with the column's key (Q2, Q2_other,
    Q4_1), so the file re-imports, then give the question's wording; a choice has a label
    column and a code column ("Q2 code"). ``most_items``: the most items any exported answer
    gives, by question id (short-items questions)."""
    columns = list(_FIXED_COLUMNS)
    for q in questions:
        kind = q.kind_enum
        wording = q.web_text
        if kind == QuestionKind.SHORT_ITEMS:
            most = max(most_items.get(q.id, 0), q.max_items, 1)
            columns += [
                ExportColumn(f"{q.code}_{n}: {wording} (item {n})", q, "item", n, f"Item {n}")
                for n in range(1, most + 1)
            ]
            continue
        columns.append(ExportColumn(f"{q.code}: {wording}", q, "", description=_describe(q)))
        if q.options or kind == QuestionKind.YES_NO_UNSURE:
            columns.append(
                ExportColumn(
                    f"{q.code} code", q, "code", description="The code of the answer chosen"
                )
            )
        if any(o.get("other") for o in q.options or []):
            columns.append(
                ExportColumn(
                    f"{q.code}_other: {wording} (own words)",
                    q,
                    "other",
                    description="The person's own words",
                )
            )
    return columns


def _describe(q: Question) -> str:
    kind = q.kind_enum
    if kind == QuestionKind.DATE_OF_BIRTH:
        return "Age in years when answered (the date of birth is not kept)"
    if kind == QuestionKind.MULTI_CHOICE:
        return "Chosen answers, separated by semicolons"
    if kind == QuestionKind.SCALE:
        return f"0 ({q.scale_min_label or 'lowest'}) to 10 ({q.scale_max_label or 'highest'})"
    return "The answer chosen" if q.options or kind == QuestionKind.YES_NO_UNSURE else "Answer"


def _options_text(q: Question) -> str:
    if q.kind_enum == QuestionKind.YES_NO_UNSURE:
        return "; ".join(YES_NO_UNSURE.values())
    return "; ".join(
        f"{o['value']} = {o['label']}" + (" (describe)" if o.get("other") else "")
        for o in q.options or []
    )


def _cell(
    column: ExportColumn, response: ExportedResponse, answers: dict[int, ExportedAnswer]
) -> Any:
    if column.question is None:
        if column.header == "response_id":
            return response.id
        if column.header == "channel":
            return response.channel
        return response.round_name
    q = column.question
    answer = answers.get(q.id)
    if answer is None or answer.skipped or not answer.value:
        return None  # no answer is a blank cell, never a word in a number column
    value = answer.value
    if column.part == "other":
        return value.get("other") or None
    if column.part == "code":
        codes = [value["choice"]] if "choice" in value else list(value.get("choices") or [])
        if len(codes) == 1:
            return _code(codes[0])
        return "; ".join(codes) or None
    if column.part == "item":
        items = value.get("items") or []
        return items[column.item - 1] if column.item <= len(items) else None
    kind = q.kind_enum
    if kind == QuestionKind.DATE_OF_BIRTH:
        return value["age"]
    if kind == QuestionKind.SCALE:
        return value["score"]
    if kind == QuestionKind.SINGLE_CHOICE:
        return q.option_label(value["choice"])
    if kind == QuestionKind.MULTI_CHOICE:
        return "; ".join(q.option_label(c) for c in value["choices"])
    if kind == QuestionKind.YES_NO_UNSURE:
        return YES_NO_UNSURE.get(value["choice"], value["choice"])
    return value.get("text") or None


def _code(code: str) -> int | str:
    """An option's code as a number when it is one (1, 2, 6), so Excel can count and sort it."""
    return int(code) if code.isdigit() else code


STREAM_ROWS = 500  # rows fetched from the database at a time while an export streams


@dataclass(frozen=True)
class ExportTable:
    """An export's columns and its rows, made one at a time as they are read (``rows`` is an
    iterator: an export of any size holds one response's answers in memory, not the round's)."""

    columns: list[ExportColumn]
    rows: Iterator[list[Any]]  # already made spreadsheet-safe


def _most_items(survey_round: SurveyRound, filters: ResponseFilter, questions) -> dict[int, int]:
    short = [q.id for q in questions if q.kind_enum == QuestionKind.SHORT_ITEMS]
    if not short:
        return {}
    query = (
        _filtered(survey_round, filters)
        .with_only_columns(Answer.question_id, Answer.value)
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_id.in_(short))
        .execution_options(yield_per=STREAM_ROWS)
    )
    most: dict[int, int] = {}
    for question_id, value in db.session.execute(query):
        most[question_id] = max(most.get(question_id, 0), len((value or {}).get("items") or []))
    return most


def _export_rows(
    survey_round: SurveyRound, filters: ResponseFilter, columns: list[ExportColumn]
) -> Iterator[list[Any]]:
    """One statement streams every (response, answer) pair in key order; a row is made when
    its response's answers have all been read."""
    query = (
        _filtered(survey_round, filters)
        .with_only_columns(
            Response.id, Response.channel, Answer.question_id, Answer.value, Answer.skipped
        )
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .order_by(Response.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    name = survey_round.name
    current: ExportedResponse | None = None
    answers: dict[int, ExportedAnswer] = {}
    for response_id, channel, question_id, value, skipped in db.session.execute(query):
        if current is None or current.id != response_id:
            if current is not None:
                yield [spreadsheet_safe(_cell(c, current, answers)) for c in columns]
            current, answers = ExportedResponse(response_id, channel, name), {}
        if question_id is not None:
            answers[question_id] = ExportedAnswer(value, bool(skipped))
    if current is not None:
        yield [spreadsheet_safe(_cell(c, current, answers)) for c in columns]


def export_table(survey_round: SurveyRound, filters: ResponseFilter) -> ExportTable:
    questions = list(survey_round.questions)
    columns = export_columns(questions, _most_items(survey_round, filters, questions))
    return ExportTable(columns, _export_rows(survey_round, filters, columns))


def _record_export(survey_round: SurveyRound, kind: str, filters: ResponseFilter, rows: int):
    detail = (
        f"{kind}, {rows} responses, status={filters.status or 'any'}, "
        f"channel={filters.channel or 'any'}"
    )
    record("responses.export", survey_round, detail=detail)
    db.session.commit()


def export_csv(survey_round: SurveyRound, filters: ResponseFilter) -> Iterator[bytes]:
    """The CSV, line by line (a streamed response): the audit line is committed first."""
    _record_export(survey_round, "csv", filters, count_responses(survey_round, filters))
    table = export_table(survey_round, filters)
    return csv_lines([c.header for c in table.columns], table.rows)


def export_xlsx_file(survey_round: SurveyRound, filters: ResponseFilter) -> IO[bytes]:
    """The workbook, written row by row (openpyxl's write-only mode) into an unnamed temporary
    file (``xlsx_file``): the audit line is committed first."""
    _record_export(survey_round, "xlsx", filters, count_responses(survey_round, filters))
    table = export_table(survey_round, filters)
    header = ["Column", "Question code", "Wording", "Kind", "Options", "Notes"]
    lines: list[list[Any]] = [header]
    for c in table.columns:
        q = c.question
        lines.append(
            [
                c.header,
                q.code if q else "",
                q.web_text if q else "",
                q.kind if q else "",
                _options_text(q) if q and c.part in ("", "code") else "",
                c.description,
            ]
        )
    lines.append(["", "", "", "", "", "A blank cell means no answer: skipped or not reached."])
    return xlsx_file(
        [
            Sheet(
                "Responses",
                itertools.chain([[c.header for c in table.columns]], table.rows),
                freeze="B2",
            ),
            Sheet("Data dictionary", lines, widths={"A": 40, "C": 60}),
        ]
    )


def count_responses(survey_round: SurveyRound, filters: ResponseFilter) -> int:
    query = _filtered(survey_round, filters).with_only_columns(sa.func.count(Response.id))
    return db.session.scalar(query) or 0


def export_filename(survey_round: SurveyRound, extension: str, on: date | None = None) -> str:
    return f"{survey_round.slug}-responses-{(on or clock.today()).isoformat()}.{extension}"
