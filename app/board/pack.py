"""The board pack: an A4 PDF (WeasyPrint) and an XLSX data pack, made by the job consumer.

Decisions a newcomer might undo:
- A request inserts a BoardPack row (queued) and enqueues ``tasks.make_pack``; the consumer
  builds the pack, writing its progress to the row, and the page polls the row.
  ``flask board pack ROUND`` builds one in the foreground. Two requests at once make one job:
  the row's ``job_key`` is unique while the job is queued or running (see models.py), so the
  second insert fails and the second requester is shown the first job.
- The row, not the queue, is the truth. A consumer claims a pack (status, ``worker``, a lease it
  renews at every step) with one conditional UPDATE, so a task that runs twice makes the pack
  once. Huey forgets a task whose consumer was killed, so a restarted consumer re-enqueues the
  unfinished packs whose consumer is gone (same machine, that process no longer exists) and a
  periodic task those whose lease ran out (another machine died); the pack is made again from
  the start, since every step is computed afresh from the database.
- A pack that fails is retried by Huey with backoff, shown as "Trying again" meanwhile, then
  marked failed ("could not be made: try again"), never left running. A job left unfinished
  for STALE_AFTER (or claimed MAX_ATTEMPTS times) is marked failed too.
- The PDF and the XLSX are made from the same ``services.dashboard`` as the page, so every
  figure has been through app.core.disclosure; charts are the cached SVGs, embedded as data: URIs
  (WeasyPrint may load nothing else, see app/core/pdf.py).
- The XLSX is written by app/core/spreadsheets.to_xlsx: figures as numbers (shares as
  percentages, changes as signed numbers), dates as dates, text formula-safe.
"""

from __future__ import annotations

import base64
import os
import socket
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.board import loop_sections, pack_sheets, services, wellbeing
from app.board.assessments.report import pack_section as self_assessment_section
from app.board.benchmark import services as benchmark
from app.board.models import BoardPack, PackStatus
from app.board.outcomes.services import outcomes_view
from app.core.charts import svg_bytes
from app.core.clock import utcnow
from app.core.extensions import db, rows_changed
from app.core.pdf import html_to_pdf, release_layouts, render_pdf_html
from app.core.spreadsheets import Sheet, to_xlsx
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from app.staff.authority.services import get_settings
from surveys.models import CHANNEL_LABELS, Channel, SurveyRound
from surveys.response_rate import GLOSSARY as RATE_GLOSSARY
from surveys.response_rate import Basis

STALE_AFTER = timedelta(minutes=30)
MAX_ATTEMPTS = 5

GLOSSARY = [
    ("Care leaver", "A young person aged 16 to 25 who was looked after by the council."),
    (
        "Corporate parent",
        "The council and its partners, who share the duty to act for care leavers as a good "
        "parent would.",
    ),
    ("Response rate", RATE_GLOSSARY),
    ("Round", "One run of the survey, usually once a year."),
    ("Theme", "A topic that came up in what care leavers wrote, such as money or housing."),
    (
        "Fewer than 5",
        "A number from 1 to 4, hidden so that nobody in a small group can be singled out.",
    ),
    (
        "Hidden to protect privacy",
        "A number of 5 or more, hidden so that a 'fewer than 5' cannot be worked out "
        "by adding up or taking away.",
    ),
    ("Rating (red, amber, green)", "How an action is going: overdue, at risk, or on track."),
    ("Forum", "The care leavers' group that meets to say what needs to change."),
    ("You said, we did", "What young people told us and what we did about it."),
]


def job_key(survey_round: SurveyRound, band: str, on: date) -> str:
    return f"{survey_round.id}:{band}:{on.isoformat()}"


def request_pack(
    survey_round: SurveyRound,
    band: str = "",
    actor: StaffUser | None = None,
    on: date | None = None,
) -> tuple[BoardPack, bool]:
    """(the job, whether this request created it). An unfinished same job is reused."""
    on = on or services.today()
    band = band if band in services.BANDS else ""
    key = job_key(survey_round, band, on)
    _expire_stale(key)
    pack = BoardPack(
        round_id=survey_round.id,
        age_band=band,
        prepared_on=on,
        job_key=key,
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(pack)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(BoardPack).where(BoardPack.job_key == key))
        if existing is not None:
            return existing, False
        return request_pack(survey_round, band, actor, on)  # it finished meanwhile
    record("board.pack.request", pack, detail=key, actor=actor)
    db.session.commit()
    return pack, True


def _expire_stale(key: str) -> None:
    stale = db.session.scalar(
        sa.select(BoardPack).where(
            BoardPack.job_key == key, BoardPack.created_at < utcnow() - STALE_AFTER
        )
    )
    if stale is not None:
        _fail(stale, "Timed out")


# --- Making a pack (the job) ------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["BOARD_PACK_LEASE_SECONDS"])


def _worker_gone(worker: str | None) -> bool:
    """True when ``worker`` was a process on this machine that no longer exists."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _lost(pack: BoardPack) -> bool:
    """A running pack whose consumer died (its lease ran out, or its process is gone)."""
    expired = pack.lease_until is None or pack.lease_until < utcnow()
    return expired or _worker_gone(pack.worker)


def _claim(pack_id: int) -> BoardPack | None:
    """Make this consumer the one making the pack; None if it is finished or someone has it."""
    pack = db.session.get(BoardPack, pack_id)
    if pack is None or pack.is_finished:
        return None
    if pack.status == PackStatus.RUNNING and not _lost(pack):
        return None
    won = rows_changed(
        sa.update(BoardPack)
        .where(
            BoardPack.id == pack_id,
            BoardPack.status == pack.status,
            BoardPack.attempts == pack.attempts,  # nobody claimed it since we looked
        )
        .values(
            status=PackStatus.RUNNING.value,
            worker=_worker_name(),
            lease_until=utcnow() + _lease(),
            attempts=BoardPack.attempts + 1,
            progress=0,
            stage="Starting",
        )
    )
    db.session.commit()
    if not won:
        return None
    db.session.refresh(pack)
    return pack


def _progress(pack: BoardPack, percent: int, stage: str) -> None:
    pack.progress, pack.stage = percent, stage
    pack.lease_until = utcnow() + _lease()
    db.session.commit()


def _hold(pack: BoardPack) -> None:
    """Test-only (BOARD_PACK_HOLD_FILE): wait here while the file exists, keeping the lease."""
    hold = current_app.config["BOARD_PACK_HOLD_FILE"]
    while hold and Path(hold).exists():
        _progress(pack, pack.progress, pack.stage)
        time.sleep(0.05)


def _fail(pack: BoardPack, stage: str) -> None:
    pack.status, pack.stage = PackStatus.FAILED.value, stage
    pack.job_key, pack.worker, pack.lease_until = None, None, None
    pack.finished_at = utcnow()
    db.session.commit()


def build_pack(pack_id: int, *, retries_left: int = 0) -> BoardPack | None:
    """Make the pack now. With ``retries_left``, a failure puts it back in the queue and
    raises, so that the job runner tries again; without, it marks the pack failed."""
    pack = _claim(pack_id)
    if pack is None:  # finished already, or another consumer is making it
        return db.session.get(BoardPack, pack_id)
    try:
        _progress(pack, 5, "Counting the answers")
        board = services.dashboard(pack.survey_round, pack.age_band, on=pack.prepared_on)
        _progress(pack, 40, "Drawing the charts")
        html = pack_html(board)
        _progress(pack, 60, "Making the PDF")
        _hold(pack)
        pdf = html_to_pdf(html)
        release_layouts()
        _progress(pack, 85, "Making the spreadsheet")
        xlsx = data_pack(board)
        pack.pdf, pack.xlsx, pack.pdf_size = pdf, xlsx, len(pdf)
        pack.status, pack.progress, pack.stage = PackStatus.DONE.value, 100, "Ready"
    except Exception:
        current_app.logger.exception("Board pack %s failed", pack_id)
        db.session.rollback()
        pack = db.session.get(BoardPack, pack_id)
        if pack is None:  # deleted (with its round) while it was being made: nothing to retry
            return None
        if retries_left:
            pack.status, pack.worker, pack.lease_until = PackStatus.QUEUED.value, None, None
            pack.progress, pack.stage = 0, "Trying again"
            db.session.commit()
            raise
        _fail(pack, "Something went wrong")
        return pack
    pack.job_key, pack.worker, pack.lease_until = None, None, None
    pack.finished_at = utcnow()
    db.session.commit()
    return pack


def packs_to_resume(*, at_start: bool = False) -> list[int]:
    """Unfinished packs nobody is making: their consumer died, or their task was lost.

    At a consumer's start every queued pack counts (its task may have died with the last
    consumer; running it twice is harmless); later only those queued for longer than a lease.
    """
    waiting_since = utcnow() - _lease()
    found = []
    for pack in db.session.scalars(sa.select(BoardPack).where(BoardPack.job_key.is_not(None))):
        if pack.status == PackStatus.RUNNING:
            resume = _lost(pack)
        else:
            resume = at_start or pack.created_at < waiting_since
        if not resume:
            continue
        if pack.attempts >= MAX_ATTEMPTS:
            _fail(pack, "Stopped too often")
            continue
        found.append(pack.id)
    db.session.commit()
    return found


def oldest_unfinished_pack_since() -> datetime | None:
    """When the longest-waiting pack not yet made was asked for (naive UTC), or None: for
    /healthz (app/core/health.py). A pack takes a minute or two; one still queued or running
    long after it was asked for means the job runner is stuck or gone."""
    return db.session.scalar(
        sa.select(sa.func.min(BoardPack.created_at)).where(
            BoardPack.status.in_([PackStatus.QUEUED.value, PackStatus.RUNNING.value])
        )
    )


def _data_uri(key: str) -> str:
    body = svg_bytes(key) or b""
    return "data:image/svg+xml;base64," + base64.b64encode(body).decode("ascii")


def pack_html(board: services.Dashboard) -> str:
    settings = get_settings()
    return render_pdf_html(
        "board/pack_pdf.html",
        settings,
        board=board,
        chart_src=_data_uri,
        glossary=GLOSSARY,
        method=method_note(board),
        outcomes=outcomes_view(),
        assessments=self_assessment_section(board.on),
        benchmark=None if board.band else benchmark.compare(board.survey_round),
        **loop_sections.pack_context(board),
    )


def method_note(board: services.Dashboard) -> list[str]:
    h = board.headline
    asked = (
        f"{h.eligible} care leavers on the contact list were eligible for "
        f"{board.survey_round.name} when it opened"
        if h.eligible and h.rate_basis == Basis.LIST
        else f"Staff expected to ask {h.eligible} care leavers about {board.survey_round.name}"
        if h.eligible
        else "We do not know how many care leavers were eligible"
    )
    if h.invited:
        asked += f", and {h.invited} were sent a personal invitation"
    offered = ", ".join(CHANNEL_LABELS[Channel(c)].lower() for c in board.survey_round.channels)
    return [
        f"{asked}. The survey was open from {board.survey_round.opens_on:%-d %B %Y} to "
        f"{board.survey_round.closes_on:%-d %B %Y}, and could be answered {offered or 'online'}.",
        h.rate_explanation
        + (
            f" For this round it is {h.rate}%."
            if h.rate is not None
            else " We cannot give one for this round."
        ),
        "The survey is anonymous: we do not ask for names, and answers cannot be linked to "
        "the person who gave them.",
        "Counts are of people. " + board.method_note,
        f"Figures are as at {board.as_at:%-d %B %Y}." if board.as_at else "",
        "Themes come from reading and coding what care leavers wrote. The quotes were chosen "
        "and approved by the participation team, with anything that could identify someone "
        "taken out.",
    ]


# --- The XLSX data pack -----------------------------------------------------------------------


def data_pack(board: services.Dashboard) -> bytes:
    """The XLSX: figures as numbers (shares as percentages, changes as signed numbers), dates
    as dates, through the one writer (app/core/spreadsheets.py)."""
    wide = {"A": 48.0}
    h = board.headline
    sheets = [
        Sheet(
            "Summary",
            [
                [f"{board.authority}: board data pack"],
                [f"{board.survey_round.name}, {board.band_label}, prepared {board.on:%-d %B %Y}"],
                [],
                *[[line] for line in board.summary],
                [],
                ["Response rate", f"{h.rate}%" if h.rate is not None else "not known"],
                ["Care leavers who answered", h.responses],
                ["Eligible" if h.rate_basis == Basis.LIST else "Staff estimate", h.eligible],
                [h.rate_explanation],
                [],
                [board.privacy_key],
                [f"Figures as at {board.as_at:%-d %B %Y}."] if board.as_at else [],
            ],
            header_row=None,
            freeze=None,
            numbers_from_text=True,
            title_row=True,
            widths=wide,
        )
    ]
    used: set[str] = {"Summary"}
    for chart in board.charts:
        sheets.append(
            Sheet(
                _sheet_name(chart.title, used),
                [[chart.title], [chart.takeaway], [], chart.table.headers, *chart.table.rows],
                header_row=4,
                freeze="B5",
                numbers_from_text=True,
                title_row=True,
                widths=wide,
            )
        )
    sheets += wellbeing.data_sheets(board.wellbeing)  # "Personal well-being", if included
    sheets.append(
        Sheet(
            _sheet_name("Comparison", used),
            [board.comparison.headers, *board.comparison.rows],
            freeze="B2",
            numbers_from_text=True,
            widths=wide,
        )
    )
    sheets.append(
        Sheet(
            _sheet_name("Overdue actions", used),
            [
                ["Topic", "Action", "Who", "Due", "Rating"],
                *[
                    [a["topic"], a["what"], a["who"], a["due"], a["rating"]]
                    for a in board.actions.overdue
                ],
            ],
            widths=wide,
        )
    )
    sheets.append(
        Sheet(
            _sheet_name("Quotes", used),
            [["Theme", "Quote"], *[[g.theme, q] for g in board.quotes for q in g.quotes]],
            widths=wide,
        )
    )
    sheets += pack_sheets.sheets(
        board, outcomes_view(), self_assessment_section(board.on), lambda t: _sheet_name(t, used)
    )
    return to_xlsx(sheets)


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip() or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name)
    return name


# --- Finding packs ----------------------------------------------------------------------------


def get_pack(pack_id: int) -> BoardPack | None:
    return db.session.get(BoardPack, pack_id)


def packs(limit: int = 30) -> list[BoardPack]:
    return list(
        db.session.scalars(
            sa.select(BoardPack)
            .order_by(BoardPack.created_at.desc(), BoardPack.id.desc())
            .limit(limit)
        )
    )


def filename(pack: BoardPack, extension: str) -> str:
    band = f"-{pack.age_band.replace(' ', '')}" if pack.age_band else ""
    return f"board-pack-{pack.survey_round.slug}{band}-{pack.prepared_on.isoformat()}.{extension}"


def record_download(pack: BoardPack, kind: str) -> None:
    record("board.pack.download", pack, detail=kind)
    db.session.commit()
