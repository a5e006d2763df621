"""Staff pages for survey rounds. Admins and participation workers only: the responses are
care leavers' own words, so the board sees summaries elsewhere, never these pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask import Response as HttpResponse

from app.core.forms import ConfirmForm
from app.core.pages import page_arg, render_page_or_partial
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.models import CHANNEL_LABELS, Channel, RoundStatus, SurveyRound
from surveys.rounds import services as rounds
from surveys.rounds.forms import ResponseFilterForm, RoundForm
from surveys.services import RoundDetails, RoundInvalid, create_round, update_round
from surveys.services import rounds as all_rounds

bp = Blueprint("rounds", __name__)

ROUND_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def _round(round_id: int) -> SurveyRound:
    survey_round = rounds.get_round(round_id)
    if survey_round is None:
        abort(404)
    return survey_round


def _details(form: RoundForm, questionnaire_id: int, wellbeing: bool = False) -> RoundDetails:
    # Only called on a valid form, whose validators refuse a blank date, target or channel list.
    assert form.opens_on.data is not None and form.closes_on.data is not None
    assert form.target_rate.data is not None and form.channels.data is not None
    return RoundDetails(
        name=form.name.data or "",
        questionnaire_id=questionnaire_id,
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        target_rate=form.target_rate.data,
        cohort_size=form.cohort_size.data,
        channels=tuple(form.channels.data),
        wellbeing=bool(form.includes_wellbeing.data) if "includes_wellbeing" in form else wellbeing,
    )


def _filters(form: ResponseFilterForm) -> rounds.ResponseFilter:
    if not form.validate():
        return rounds.ResponseFilter()
    status = form.status.data or "complete"
    return rounds.ResponseFilter(
        channel=form.channel.data or "", status="" if status == "any" else status
    )


@bp.get("/staff/rounds")
@allow(*ROUND_STAFF)
def rounds_list():
    return render_template("surveys/rounds/list.html", rounds=all_rounds())


@bp.route("/staff/rounds/new", methods=["GET", "POST"])
@allow(*ROUND_STAFF)
def new_round():
    form = RoundForm()
    form.questionnaire_id.choices = rounds.questionnaire_choices()
    error = None
    if form.validate_on_submit():
        try:
            chosen = rounds.chosen_questionnaire_id(form.questionnaire_id.data)
            survey_round = create_round(_details(form, chosen))
        except RoundInvalid as exc:
            error = str(exc)
        else:
            flash(f"Round created. Its link is {rounds.public_link(survey_round)}")
            return redirect(url_for("rounds.round_page", round_id=survey_round.id))
    return render_template(
        "surveys/rounds/form.html", form=form, error=error, survey_round=None, title="New round"
    )


@bp.route("/staff/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@allow(*ROUND_STAFF)
def edit_round(round_id: int):
    survey_round = _round(round_id)
    form = RoundForm(obj=survey_round)
    form.questionnaire_id.choices = rounds.questionnaire_choices()
    if survey_round.status != RoundStatus.DRAFT:
        del form.questionnaire_id  # fixed once the round has opened
        del form.includes_wellbeing  # so is the well-being module
    error = None
    if form.validate_on_submit():
        questionnaire_id = survey_round.questionnaire_id
        if "questionnaire_id" in form:
            questionnaire_id = rounds.chosen_questionnaire_id(form.questionnaire_id.data)
        try:
            details = _details(form, questionnaire_id, survey_round.includes_wellbeing)
            update_round(survey_round, details)
        except RoundInvalid as exc:
            error = str(exc)
        else:
            flash("Round saved")
            return redirect(url_for("rounds.round_page", round_id=survey_round.id))
    return render_template(
        "surveys/rounds/form.html",
        form=form,
        error=error,
        survey_round=survey_round,
        title="Change round",
    )


@bp.post("/staff/rounds/<int:round_id>/open", endpoint="open_round")
@allow(*ROUND_STAFF)
def open_round_now(round_id: int):
    return _change_status(round_id, rounds.open_draft, "Round opened. People can answer now.")


@bp.post("/staff/rounds/<int:round_id>/close", endpoint="close_round")
@allow(*ROUND_STAFF)
def close_round_now(round_id: int):
    return _change_status(round_id, rounds.close_open, "Round closed")


def _change_status(round_id: int, change, message: str):
    survey_round = _round(round_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(survey_round)
        except RoundInvalid as exc:
            flash(str(exc))
        else:
            flash(message)
    return redirect(url_for("rounds.round_page", round_id=survey_round.id))


@bp.get("/staff/rounds/<int:round_id>")
@allow(*ROUND_STAFF)
def round_page(round_id: int):
    survey_round = _round(round_id)
    return render_template(
        "surveys/rounds/round.html",
        survey_round=survey_round,
        figures=rounds.published_figures(survey_round),
        link=rounds.public_link(survey_round),
        channel_labels=CHANNEL_LABELS,
        confirm=ConfirmForm(),
    )


@bp.get("/staff/rounds/<int:round_id>/poster")
@allow(*ROUND_STAFF)
def poster(round_id: int):
    survey_round = _round(round_id)
    return render_template(
        "surveys/rounds/poster.html",
        survey_round=survey_round,
        link=rounds.public_link(survey_round),
    )


@bp.get("/staff/rounds/<int:round_id>/qr-code.svg")
@allow(*ROUND_STAFF)
def qr_code(round_id: int):
    survey_round = _round(round_id)
    response = HttpResponse(rounds.qr_code_svg(survey_round), mimetype="image/svg+xml")
    if request.args.get("download"):
        filename = f"{survey_round.slug}-qr-code.svg"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/staff/rounds/<int:round_id>/responses")
@allow(*ROUND_STAFF)
def responses(round_id: int):
    survey_round = _round(round_id)
    form = ResponseFilterForm(request.args)
    filters = _filters(form)
    page = rounds.response_page(survey_round, filters, page_arg())
    return render_page_or_partial(
        "surveys/rounds/responses.html",
        "surveys/rounds/_partials/responses_table.html",
        survey_round=survey_round,
        form=form,
        responses=page,
        channel_labels={c.value: label for c, label in CHANNEL_LABELS.items()},
        status_labels=rounds.STATUS_LABELS,
    )


@bp.get("/staff/rounds/<int:round_id>/responses/<int:response_id>")
@allow(*ROUND_STAFF)
def response(round_id: int, response_id: int):
    survey_round = _round(round_id)
    found = rounds.get_response(survey_round, response_id)
    if found is None:
        abort(404)
    return render_template(
        "surveys/rounds/response.html",
        survey_round=survey_round,
        response=found,
        rows=rounds.view_response(found),
        channel_label=CHANNEL_LABELS[Channel(found.channel)],
        status_labels=rounds.STATUS_LABELS,
    )


@bp.get("/staff/rounds/<int:round_id>/export.<any(csv, xlsx):kind>")
@allow(*ROUND_STAFF)
def export(round_id: int, kind: str):
    survey_round = _round(round_id)
    filters = _filters(ResponseFilterForm(request.args))
    filename = rounds.export_filename(survey_round, kind)
    if kind == "csv":  # streamed a line at a time, so a big round needs no memory
        return HttpResponse(
            stream_with_context(rounds.export_csv(survey_round, filters)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return send_file(  # a temporary file, deleted when the response closes
        rounds.export_xlsx_file(survey_round, filters),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )
