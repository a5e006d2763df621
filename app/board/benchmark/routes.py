"""Benchmarking pages: compare this round with other councils', export ours, import theirs.

Board members read the comparison; admins and participation workers export and import; only
admins choose whether the council's name travels.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from app.board import services as board
from app.board.benchmark import services
from app.board.benchmark.forms import ExportForm, SettingsForm, UploadForm
from app.board.routes import READERS, WORKERS
from app.core.pages import int_arg
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("benchmark", __name__)


def _round(round_id: int | None):
    survey_round = board.get_round(round_id)
    if survey_round is None and round_id is not None:
        abort(404)
    return survey_round


def _page(survey_round, *, upload=None, settings_form=None, status: int = 200):
    current = services.settings()
    return render_template(
        "board/benchmark/index.html",
        survey_round=survey_round,
        rounds=board.rounds(),
        comparison=services.compare(survey_round) if survey_round else None,
        export_form=ExportForm(round_id=survey_round.id if survey_round else ""),
        upload_form=upload or UploadForm(),
        settings_form=settings_form
        or SettingsForm(share_name=current.share_name, cluster=current.cluster),
        settings=current,
        files=services.files(),
        describe=services.describe,
        can_exchange=current_user.role_enum in WORKERS,
        is_admin=current_user.role_enum == Role.ADMIN,
    ), status


@bp.get("/board/benchmarking")
@allow(*READERS)
def index():
    return _page(_round(int_arg("round")))


@bp.post("/board/benchmarking/export")
@allow(*WORKERS)
def export():
    form = ExportForm()
    raw = form.round_id.data or ""
    survey_round = _round(int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if not form.validate_on_submit() or survey_round is None:
        abort(400)
    try:
        name, body = services.export_file(survey_round)
    except services.BenchmarkRefused as error:
        flash(str(error), "error")
        return redirect(url_for("benchmark.index", round=survey_round.id))
    return HttpResponse(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/board/benchmarking/import")
@allow(*WORKERS)
def upload():
    form = UploadForm()
    survey_round = _round(int_arg("round"))
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        form.file.errors = ["Choose a benchmarking file to upload"]
        return _page(survey_round, upload=form, status=400)
    try:
        stored = services.import_file(upload.read(services.MAX_FILE_BYTES + 1))
    except services.BenchmarkRefused as error:
        form.file.errors = [str(error)]
        return _page(survey_round, upload=form, status=400)
    flash(f"Imported {services.describe(stored)}")
    return redirect(url_for("benchmark.index", round=survey_round.id if survey_round else None))


@bp.post("/board/benchmarking/settings")
@allow(Role.ADMIN)
def save_settings():
    form = SettingsForm()
    survey_round = _round(int_arg("round"))
    if not form.validate_on_submit():
        return _page(survey_round, settings_form=form, status=400)
    services.save_settings(bool(form.share_name.data), form.cluster.data or "")
    flash("Sharing settings saved")
    return redirect(url_for("benchmark.index", round=survey_round.id if survey_round else None))
