"""The board's pages: the dashboard, chart images, board packs, meetings, reference figures.

Board members only read: every page they can reach answers GET, and the only forms they see are
the dashboard's filter (a GET form) and, on a meeting's page, asking for the pack for that
meeting (app/board/loop_routes.py, which changes no data but makes a pack). Staff (admin,
participation worker) also prepare packs and record meetings; admins enter reference figures.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from app.board import loop_sections, pack, pack_requests, services, tasks
from app.board.benchmark import services as benchmark
from app.board.forms import (
    FilterForm,
    MeetingForm,
    PackForm,
    ReferenceForm,
    ReplyForm,
    RequestForm,
)
from app.board.models import ReferenceFigure
from app.board.outcomes.services import outcomes_view
from app.core.charts import svg_bytes
from app.core.extensions import db
from app.core.forms import ConfirmForm
from app.core.pages import render_page_or_partial
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from forum import presentations
from forum import services as forum_services
from forum.models import STATUS_LABELS

bp = Blueprint("board", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
READERS = (*WORKERS, Role.BOARD_MEMBER)


def _filters():
    form = FilterForm(request.args)
    all_rounds = services.rounds()
    form.round.choices = [(str(r.id), r.name) for r in all_rounds]
    round_id = form.round.data if (form.round.data or "").isdigit() else None
    survey_round = services.get_round(int(round_id) if round_id else None)
    if survey_round is None and round_id:
        abort(404)
    if survey_round is not None:
        form.round.data = str(survey_round.id)
    analysis = services.analyse(survey_round) if survey_round is not None else None
    form.band.choices = services.band_choices(analysis)
    band = form.band.data or ""
    if band and band not in services.offered_bands(analysis):
        abort(404)  # a band the menu does not offer (too few people in it) has no page
    form.band.data = band
    return form, survey_round, band


@bp.get("/board")
@allow(*READERS)
def dashboard():
    form, survey_round, band = _filters()
    board = services.dashboard(survey_round, band) if survey_round else None
    pack_form = PackForm(round_id=survey_round.id if survey_round else "", band=band)
    return render_page_or_partial(
        "board/dashboard.html",
        "board/_partials/dashboard.html",
        form=form,
        board=board,
        pack_form=pack_form,
        can_prepare=current_user.role_enum in WORKERS,
        outcomes=outcomes_view() if board else None,
        benchmark=benchmark.compare(survey_round) if survey_round and not band else None,
        **loop_sections.dashboard_context(board),
    )


@bp.get("/board/charts/<key>.svg")
@allow(*READERS)
def chart(key: str):
    body = svg_bytes(key)
    if body is None:
        abort(404)
    response = HttpResponse(body, mimetype="image/svg+xml")
    # The address is a hash of the chart's data, so it never changes: cache it for a year, in
    # this browser only. The SVG is its own document: let its style attributes apply there.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/board/packs")
@allow(*READERS)
def packs():
    form, survey_round, band = _filters()
    return render_template(
        "board/packs.html",
        packs=pack.packs(),
        form=form,
        survey_round=survey_round,
        pack_form=PackForm(round_id=survey_round.id if survey_round else "", band=band),
        can_prepare=current_user.role_enum in WORKERS,
        my_requests=pack_requests.requests_by(current_user._get_current_object()),
    )


@bp.post("/board/packs")
@allow(*WORKERS)
def request_pack():
    form = PackForm()
    if not form.validate_on_submit():
        abort(400)
    survey_round = services.get_round(int(form.round_id.data or 0) or None)
    if survey_round is None:
        abort(404)
    job, created = pack.request_pack(
        survey_round, form.band.data or "", current_user._get_current_object()
    )
    if created:
        tasks.make_pack(job.id)
    else:
        flash("This pack is already being prepared. Here is its progress.")
    return redirect(url_for("board.pack_status", pack_id=job.id))


def _pack(pack_id: int):
    found = pack.get_pack(pack_id)
    if found is None:
        abort(404)
    return found


@bp.get("/board/packs/<int:pack_id>")
@allow(*READERS)
def pack_status(pack_id: int):
    return render_page_or_partial(
        "board/pack_status.html", "board/_partials/pack_status.html", pack=_pack(pack_id)
    )


@bp.get("/board/packs/<int:pack_id>/<any(pdf, xlsx):kind>")
@allow(*READERS)
def pack_file(pack_id: int, kind: str):
    found = _pack(pack_id)
    body = found.pdf if kind == "pdf" else found.xlsx
    if found.status != "done" or not body:
        abort(404)
    pack.record_download(found, kind)
    mimetype = (
        "application/pdf"
        if kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(body, mimetype=mimetype)
    disposition = "inline" if kind == "pdf" else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{pack.filename(found, kind)}"'
    )
    return response


# --- Board meetings ---


@bp.get("/board/meetings")
@allow(*READERS)
def meetings():
    return render_template(
        "board/meetings.html",
        meetings=services.meetings(),
        can_edit=current_user.role_enum in WORKERS,
        schedule=presentations.schedule(),
    )


def _meeting(meeting_id: int):
    found = services.get_meeting(meeting_id)
    if found is None:
        abort(404)
    return found


@bp.get("/board/meetings/<int:meeting_id>")
@allow(*READERS)
def meeting(meeting_id: int):
    replies = forum_services.board_replies(meeting_id)
    return render_template(
        "board/meeting.html",
        meeting=_meeting(meeting_id),
        replies=replies,
        sent=forum_services.replies_sent([r.id for r in replies]),
        request_form=ConfirmForm(),
        can_edit=current_user.role_enum in WORKERS,
    )


def _meeting_form(existing=None) -> MeetingForm:
    form = MeetingForm(obj=existing)
    form.pack_id.choices = [(0, "None")] + [
        (p.id, f"{p.survey_round.name}, prepared {p.prepared_on:%-d %B %Y}")
        for p in services.pack_choices()
    ]
    if existing is not None and request.method == "GET":
        form.pack_id.data = existing.pack_id or 0
    return form


@bp.route("/board/meetings/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_meeting():
    form = _meeting_form()
    if form.validate_on_submit():
        saved = services.save_meeting(None, form.data)
        flash("Meeting saved")
        return redirect(url_for("board.meeting", meeting_id=saved.id))
    return render_template("board/meeting_form.html", form=form, meeting=None)


@bp.route("/board/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit_meeting(meeting_id: int):
    existing = _meeting(meeting_id)
    form = _meeting_form(existing)
    request_form = RequestForm(prefix="ask")
    if form.validate_on_submit():
        services.save_meeting(existing, form.data)
        flash("Meeting saved")
        return redirect(url_for("board.meeting", meeting_id=existing.id))
    return render_template(
        "board/meeting_form.html",
        form=form,
        meeting=existing,
        request_form=request_form,
        reply_form=_reply_form(),
    )


def _reply_form() -> ReplyForm:
    form = ReplyForm(prefix="reply")
    form.item_id.choices = [(0, "Choose one"), *services.reply_choices()]
    return form


@bp.post("/board/meetings/<int:meeting_id>/replies")
@allow(*WORKERS)
def add_reply(meeting_id: int):
    """The board's reply to something the forum asked: it shows on the public page."""
    existing = _meeting(meeting_id)
    form = _reply_form()
    if form.validate_on_submit():
        try:
            services.add_reply(existing, form.data, current_user._get_current_object())
        except services.BoardError as exc:
            form.reply.errors = [*form.reply.errors, str(exc)]
        else:
            flash(
                "The board's reply is recorded. "
                "It shows on the public page while its item is published"
            )
            return redirect(url_for("board.meeting", meeting_id=existing.id))
    return render_template(
        "board/meeting_form.html",
        form=_meeting_form(existing),
        meeting=existing,
        request_form=RequestForm(prefix="ask"),
        reply_form=form,
    ), 400


@bp.post("/board/meetings/<int:meeting_id>/requests")
@allow(*WORKERS)
def add_request(meeting_id: int):
    existing = _meeting(meeting_id)
    form = RequestForm(prefix="ask")
    if form.validate_on_submit():
        services.add_request(existing, form.text.data or "", form.topic.data or "")
        flash("Added to \u201cyou said\u201d as an item from the board")
        return redirect(url_for("board.meeting", meeting_id=existing.id))
    return render_template(
        "board/meeting_form.html",
        form=_meeting_form(existing),
        meeting=existing,
        request_form=form,
        reply_form=_reply_form(),
    ), 400


# --- Reference figures ---


@bp.route("/board/reference-figures", methods=["GET", "POST"])
@allow(Role.ADMIN)
def reference_figures():
    form = ReferenceForm()
    form.measure.choices = services.measure_choices(services.get_round(None))
    if form.validate_on_submit():
        services.save_reference(
            form.measure.data, form.source.data.strip(), float(form.percent.data), form.year.data
        )
        flash("Reference figure saved")
        return redirect(url_for("board.reference_figures"))
    return render_template(
        "board/reference_figures.html",
        form=form,
        confirm=ConfirmForm(),
        figures=list(services.reference_figures().values()),
        labels=dict(form.measure.choices),
    )


@bp.post("/board/reference-figures/<int:figure_id>/delete")
@allow(Role.ADMIN)
def delete_reference(figure_id: int):
    figure = db.session.get(ReferenceFigure, figure_id)
    if figure is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_reference(figure)
        flash("Reference figure removed")
    return redirect(url_for("board.reference_figures"))


@bp.get("/staff/actions/since")
@allow(*READERS)
def since():
    """What changed in the action tracker since the board last met (the board's meetings)."""
    raw = request.args.get("since", "")
    try:
        start = date.fromisoformat(raw) if raw else services.last_meeting_on()
    except ValueError:
        start = services.last_meeting_on()
        flash("Enter the date like 2026-09-01. Showing changes since the last board meeting.")
    return render_template(
        "forum/since.html",
        report=forum_services.since_report(start),
        statuses=STATUS_LABELS,
        can_edit=current_user.role_enum in WORKERS,
    )
