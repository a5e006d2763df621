"""Survey rounds for staff: figures for a round, the responses table, the response view, exports.

Decisions a newcomer might otherwise undo:
- Responses hold no date (see surveys/models.py): the by-day figures come from the daily
  tallies, and the responses list, the response page and the exports show the round, never a
  date, and list responses by their random key, never by arrival.
- These pages are for the participation team, who may read individual answers, so figures here
  are not suppressed below 5 as the board's reports are. Every look at one response and every
  export is written to the audit log, because free text can say who someone is.
- Exports are one row per response. A "best 3 things" answer gets one column per item
  (Q4_1..Q4_3) and a choice with "Other - describe" gets a second column (Q2_other), so the file
  can be sorted and counted in a spreadsheet without splitting cells.
- Every text cell of every export goes through ``spreadsheet_safe`` (OWASP's advice on CSV
  injection): a cell that starts with = + - @, a tab or a carriage return gets a leading
  apostrophe, so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import qrcode
import qrcode.image.svg
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font

from app.core import clock
from app.core.extensions import db
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
    RoundInvalid,
    close_round,
    load_questionnaire_file,
    open_round,
    questionnaires,
)

PER_PAGE = 25
# Channels a round can offer; "import" is how files collected elsewhere arrive, not a choice.
ROUND_CHANNELS = [c for c in Channel if c != Channel.IMPORT]
STATUS_LABELS = {"complete": "Complete", "in_progress": "In progress"}
SKIPPED = "Skipped"


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
    """Questionnaire versions a round can use. The built-in one is loaded the first time."""
    found = questionnaires() or [load_questionnaire_file()]
    return [(q.id, q.label + (", locked" if q.is_locked else "")) for q in found]


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
    complete: int
    in_progress: int


@dataclass(frozen=True)
class DayFigures:
    day: date
    completed: int


@dataclass(frozen=True)
class StoppingPoint:
    code: str
    wording: str
    people: int


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
    return pd.DataFrame(rows, columns=["id", "channel", "status"]).astype(
        {"id": "int64", "channel": "object", "status": "object"}
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
        pd.crosstab(frame["channel"], frame["status"])
        if len(frame)
        else pd.DataFrame(columns=["complete", "in_progress"])
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
    questions = list(survey_round.questionnaire.questions)
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
    rows = [
        (q, answer_summary(q, answers.get(q.id))) for q in response.round.questionnaire.questions
    ]
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


def export_columns(questions: list[Question], responses: list[Response]) -> list[ExportColumn]:
    columns = list(_FIXED_COLUMNS)
    for q in questions:
        kind = q.kind_enum
        if kind == QuestionKind.SHORT_ITEMS:
            most = max(
                [len((a.value or {}).get("items") or []) for r in responses for a in r.answers]
                + [q.max_items, 1]
            )
            columns += [
                ExportColumn(f"{q.code}_{n}", q, "item", n, f"Item {n}") for n in range(1, most + 1)
            ]
            continue
        columns.append(ExportColumn(q.code, q, "", description=_describe(q)))
        if any(o.get("other") for o in q.options or []):
            columns.append(
                ExportColumn(f"{q.code}_other", q, "other", description="The person's own words")
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


def _cell(column: ExportColumn, response: Response, answers: dict[int, Answer]) -> Any:
    if column.question is None:
        if column.header == "response_id":
            return response.id
        if column.header == "channel":
            return response.channel
        return response.round.name
    q = column.question
    answer = answers.get(q.id)
    if answer is None:
        return ""
    if answer.skipped or not answer.value:
        # Say "Skipped" once per question: in its first column.
        return SKIPPED if column.part == "" or (column.part == "item" and column.item == 1) else ""
    value = answer.value
    if column.part == "other":
        return value.get("other", "")
    if column.part == "item":
        items = value.get("items") or []
        return items[column.item - 1] if column.item <= len(items) else ""
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
    return value.get("text", "")


@dataclass(frozen=True)
class ExportTable:
    columns: list[ExportColumn]
    rows: list[list[Any]]  # already made spreadsheet-safe


def export_table(survey_round: SurveyRound, filters: ResponseFilter) -> ExportTable:
    responses = list(
        db.session.scalars(
            _filtered(survey_round, filters)
            .order_by(Response.id)
            .options(so.selectinload(Response.answers))
        )
    )
    questions = list(survey_round.questionnaire.questions)
    columns = export_columns(questions, responses)
    rows = []
    for response in responses:
        answers = {a.question_id: a for a in response.answers}
        rows.append([spreadsheet_safe(_cell(c, response, answers)) for c in columns])
    return ExportTable(columns, rows)


def _record_export(survey_round: SurveyRound, kind: str, filters: ResponseFilter, rows: int):
    detail = (
        f"{kind}, {rows} responses, status={filters.status or 'any'}, "
        f"channel={filters.channel or 'any'}"
    )
    record("responses.export", survey_round, detail=detail)
    db.session.commit()


def export_csv(survey_round: SurveyRound, filters: ResponseFilter) -> bytes:
    table = export_table(survey_round, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(c.header) for c in table.columns])
    writer.writerows(table.rows)
    _record_export(survey_round, "csv", filters, len(table.rows))
    # A byte order mark, so Excel reads the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(survey_round: SurveyRound, filters: ResponseFilter) -> bytes:
    table = export_table(survey_round, filters)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Responses"
    _write_rows(sheet, [[c.header for c in table.columns], *table.rows])
    sheet.freeze_panes = "B2"

    dictionary = book.create_sheet("Data dictionary")
    header = ["Column", "Question code", "Wording", "Kind", "Options", "Notes"]
    lines = [header]
    for c in table.columns:
        q = c.question
        lines.append(
            [
                c.header,
                q.code if q else "",
                q.web_text if q else "",
                q.kind if q else "",
                _options_text(q) if q and c.part == "" else "",
                c.description,
            ]
        )
    lines.append(["", "", "", "", "", f"'{SKIPPED}' means the person chose to skip a question."])
    _write_rows(dictionary, [[spreadsheet_safe(v) for v in line] for line in lines])

    out = io.BytesIO()
    book.save(out)
    _record_export(survey_round, "xlsx", filters, len(table.rows))
    return out.getvalue()


def _write_rows(sheet, rows: list[list[Any]]) -> None:
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # openpyxl would store text that starts with "=" as a formula; values arrive already made
    # safe, and marking every text cell as a string makes sure none is read as one.
    for line in sheet.iter_rows(min_row=1):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def export_filename(survey_round: SurveyRound, extension: str, on: date | None = None) -> str:
    return f"{survey_round.slug}-responses-{(on or clock.today()).isoformat()}.{extension}"
