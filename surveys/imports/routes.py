"""Import pages: upload a file into a round, map its columns and answers, preview, import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.core.extensions import db
from app.core.jobs import enqueue_after_commit
from app.core.mapping import posted_columns
from app.core.pages import render_page_or_partial
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.imports import services as imports
from surveys.imports import tasks
from surveys.imports.forms import DiscardForm, ImportForm, MappingForm, UploadForm
from surveys.imports.models import ImportUpload
from surveys.models import SurveyRound
from surveys.rounds.services import get_round

bp = Blueprint("imports", __name__)

IMPORT_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def _upload(upload_id: int) -> tuple[ImportUpload, SurveyRound]:
    upload = imports.get_upload(upload_id)
    if upload is None:
        abort(404)
    survey_round = get_round(upload.round_id)
    assert survey_round is not None  # round_id is a NOT NULL foreign key
    return upload, survey_round


@bp.route("/staff/imports/rounds/<int:round_id>", methods=["GET", "POST"])
@allow(*IMPORT_STAFF)
def upload(round_id: int):
    survey_round = get_round(round_id)
    if survey_round is None:
        abort(404)
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        sent = request.files.get("file")
        try:
            if sent is None or not sent.filename:
                raise imports.ImportInvalid("Choose a CSV or Excel file to upload")
            found = imports.start_upload(survey_round, sent.filename, sent.read())
        except imports.ImportInvalid as exc:
            error = str(exc)
        else:
            return redirect(url_for("imports.mapping", upload_id=found.id))
    return render_template(
        "surveys/imports/upload.html", survey_round=survey_round, form=form, error=error
    ), (400 if error else 200)


@bp.route("/staff/imports/<int:upload_id>/mapping", methods=["GET", "POST"])
@allow(*IMPORT_STAFF)
def mapping(upload_id: int):
    upload, survey_round = _upload(upload_id)
    form = MappingForm()
    error = None
    if form.validate_on_submit():
        columns = posted_columns(request.form, upload.headers)
        try:
            imports.save_mapping(
                upload, survey_round, columns, _posted_values(upload, survey_round)
            )
        except imports.ImportInvalid as exc:
            error = str(exc)
        else:
            if not imports.unknown_values(upload, survey_round) or request.form.get("values_seen"):
                return redirect(url_for("imports.preview", upload_id=upload.id))
            flash("Some answers in the file do not match the questions' answers. Map them below.")
    unknown = imports.unknown_values(upload, survey_round)
    return render_template(
        "surveys/imports/mapping.html",
        survey_round=survey_round,
        upload=upload,
        form=form,
        error=error,
        targets=imports.targets(survey_round),
        unknown=unknown,
        options={h: _options(survey_round, upload.columns.get(h, "")) for h in unknown},
        sample=upload.rows[:3],
    ), (400 if error else 200)


def _posted_values(upload, survey_round: SurveyRound) -> dict[str, dict[str, str]]:
    """For each column with answers the questions do not know, what each was mapped to
    (``val-<column>-<n>``, "" for not mapped)."""
    return {
        h: {v: request.form.get(f"val-{upload.headers.index(h)}-{n}", "") for n, v in enumerate(vs)}
        for h, vs in imports.unknown_values(upload, survey_round).items()
    }


def _options(survey_round: SurveyRound, target: str) -> list[tuple[str, str]]:
    question = imports._choice_question(survey_round, target)
    if question is None:
        return []
    if question.kind == "yes_no_unsure":
        pairs = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]
    else:
        pairs = [(o["value"], o["label"]) for o in question.options]
    return [("", "Not mapped (the row is refused)"), (imports.SKIP_VALUE, "Skipped"), *pairs]


@bp.route("/staff/imports/<int:upload_id>/preview", methods=["GET", "POST"])
@allow(*IMPORT_STAFF)
def preview(upload_id: int):
    upload, survey_round = _upload(upload_id)
    form = ImportForm()
    error = None
    if form.validate_on_submit():  # a job imports the rows; the run's page shows how far
        try:
            started, new = imports.begin_import(upload, valid_only=form.mode.data == "valid")
        except imports.ImportInvalid as exc:
            error = str(exc)
        else:
            if new:
                enqueue_after_commit(tasks.import_responses, started.id)
                db.session.commit()
            return redirect(url_for("imports.import_run", run_id=started.id))
    checked = imports.check_rows(upload, survey_round)
    return render_template(
        "surveys/imports/preview.html",
        survey_round=survey_round,
        upload=upload,
        form=form,
        discard=DiscardForm(),
        error=error,
        preview=checked,
        shown=[h for h in upload.headers if upload.columns.get(h)],
    ), (400 if error else 200)


@bp.post("/staff/imports/<int:upload_id>/discard")
@allow(*IMPORT_STAFF)
def discard(upload_id: int):
    upload, _survey_round = _upload(upload_id)
    if DiscardForm().validate_on_submit():
        try:
            imports.discard(upload)
        except imports.ImportInvalid as exc:
            flash(f"{exc}.")
        else:
            flash("Import cancelled. Nothing was imported.")
    return redirect(url_for("paper.index"))


@bp.get("/staff/imports/runs/<int:run_id>")
@allow(*IMPORT_STAFF)
def import_run(run_id: int):
    found = imports.get_run(run_id)
    if found is None:
        abort(404)
    return render_page_or_partial(
        "surveys/imports/run.html",
        "surveys/imports/_partials/run_progress.html",
        run=found,
        survey_round=get_round(found.round_id),
    )
