"""Outcome pages: the staff outcomes page (board members read it), the import with its
template, and the targets and comparison figures (admins and participation workers)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from app.board.outcomes import services
from app.board.outcomes.forms import ComparisonForm, ConfirmImportForm, TargetForm, UploadForm
from app.board.outcomes.models import (
    COMPARISON_LABELS,
    MEASURE_LABELS,
    OutcomeComparison,
    OutcomeTarget,
)
from app.core.extensions import db
from app.core.forms import ConfirmForm
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("outcomes", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
READERS = (*WORKERS, Role.BOARD_MEMBER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/board/outcomes")
@allow(*READERS)
def index():
    return render_template(
        "board/outcomes/index.html",
        view=services.outcomes_view(),
        can_edit=current_user.role_enum in WORKERS,
    )


def _upload_page(form: UploadForm, problems: list[str] | None = None, status: int = 200):
    return render_template(
        "board/outcomes/import.html", form=form, problems=problems, columns=services.COLUMNS
    ), status


@bp.route("/board/outcomes/import", methods=["GET", "POST"])
@allow(*WORKERS)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    sent = request.files.get("file")
    try:
        if sent is None or not sent.filename:
            raise services.OutcomeImportInvalid(["Choose a CSV or Excel file to upload"])
        changes = services.plan_import(services.read_import(sent.filename, sent.read()))
        if services.replaces_anything(changes):
            return render_template(
                "board/outcomes/confirm.html",
                changes=changes,
                form=ConfirmImportForm(token=services.seal(changes)),
            )
        services.apply_import(changes, current_user._get_current_object())
    except services.OutcomeImportInvalid as exc:
        return _upload_page(form, exc.problems, 400)
    flash(services.import_message(changes))
    return redirect(url_for("outcomes.index"))


@bp.post("/board/outcomes/import/confirm")
@allow(*WORKERS)
def confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changes = services.apply_import(
            services.unseal(form.token.data or ""), current_user._get_current_object()
        )
    except services.OutcomeImportInvalid as exc:
        return _upload_page(UploadForm(formdata=None), exc.problems, 400)
    flash(services.import_message(changes))
    return redirect(url_for("outcomes.index"))


@bp.get("/board/outcomes/template.<any(csv, xlsx):kind>")
@allow(*WORKERS)
def template(kind: str):
    response = HttpResponse(
        services.template_file(kind), mimetype="text/csv" if kind == "csv" else XLSX
    )
    response.headers["Content-Disposition"] = f'attachment; filename="outcomes-template.{kind}"'
    return response


@bp.route("/board/outcomes/targets", methods=["GET", "POST"])
@allow(*WORKERS)
def targets():
    target_form = TargetForm(prefix="target")
    comparison_form = ComparisonForm(prefix="comparison")
    saved = _save_posted(target_form, comparison_form)
    if saved:
        flash(saved)
        return redirect(url_for("outcomes.targets"))
    failed = bool(target_form.errors or comparison_form.errors)
    return render_template(
        "board/outcomes/targets.html",
        target_form=target_form,
        comparison_form=comparison_form,
        confirm=ConfirmForm(),
        targets=services.targets(),
        comparisons=services.comparisons(),
        labels=services.GROUP_LABELS,
        measures=MEASURE_LABELS,
        kinds=COMPARISON_LABELS,
    ), 400 if failed else 200


def _save_posted(target_form: TargetForm, comparison_form: ComparisonForm) -> str | None:
    """Save whichever of the two forms was posted, if it is valid: what was saved, or None."""
    if target_form.submit.data and target_form.validate_on_submit():
        percent = target_form.percent.data
        assert percent is not None  # for mypy: the field's InputRequired says so
        services.save_target(target_form.measure.data, target_form.age_group.data, float(percent))
        return "Target saved"
    if comparison_form.submit.data and comparison_form.validate_on_submit():
        form = comparison_form
        year, percent, source = form.year.data, form.percent.data, form.source.data
        assert year is not None and percent is not None and source is not None  # InputRequired
        services.save_comparison(
            form.kind.data,
            form.measure.data,
            form.age_group.data,
            year,
            float(percent),
            source.strip(),
        )
        return "Comparison figure saved"
    return None


@bp.post("/board/outcomes/targets/<int:target_id>/delete")
@allow(*WORKERS)
def delete_target(target_id: int):
    found = db.session.get(OutcomeTarget, target_id)
    if found is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_target(found)
        flash("Target removed")
    return redirect(url_for("outcomes.targets"))


@bp.post("/board/outcomes/comparisons/<int:comparison_id>/delete")
@allow(*WORKERS)
def delete_comparison(comparison_id: int):
    found = db.session.get(OutcomeComparison, comparison_id)
    if found is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_comparison(found)
        flash("Comparison figure removed")
    return redirect(url_for("outcomes.targets"))
