"""Invitation pages for staff (per round) and the care leaver's personal link /i/<code>."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask import Response as HttpResponse
from flask_login import current_user

from app.core.disclosure import KEY
from app.core.extensions import configured_limit, csrf, db, limiter
from app.core.forms import ConfirmForm
from app.core.jobs import enqueue_after_commit
from app.core.pages import page_arg, render_page_or_partial
from app.core.security import no_store
from app.messaging import confirm, notify
from app.messaging.webhook import signed
from app.outreach.contacts.models import CHANNEL_LABELS
from app.outreach.contacts.services import teams
from app.outreach.invitations import dashboard, letter_runs, letters, tasks
from app.outreach.invitations import services as invitations
from app.outreach.invitations.forms import InviteForm, ReminderForm, ScheduleForm
from app.staff.auth.access import allow, public
from app.staff.auth.models import Role
from surveys.models import RoundStatus, SurveyRound
from surveys.rounds.services import get_round

bp = Blueprint("invitations", __name__)

INVITATION_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def _round(round_id: int) -> SurveyRound:
    survey_round = get_round(round_id)
    if survey_round is None:
        abort(404)
    return survey_round


def _team_choices(form) -> None:
    form.team.choices = [("", "Any team")] + [(t, t) for t in teams()]


@bp.get("/i/<code>")
@limiter.limit(configured_limit("CODE_GUESS_RATE_LIMIT"))
@public
@no_store
def personal_link(code: str):
    """Remember the invitation in this browser's session only; then the ordinary survey."""
    invitation = invitations.by_code(code)
    if invitation is None:
        return render_template("invitations/unknown_code.html"), 404
    survey_round = get_round(invitation.round_id)
    assert survey_round is not None  # round_id is a NOT NULL foreign key
    if survey_round.status == RoundStatus.DRAFT:
        abort(404)
    invitations.remember_in_session(invitation, survey_round)
    return redirect(url_for("survey.start", slug=survey_round.slug))


@bp.get("/staff/rounds/<int:round_id>/invitations")
@allow(*INVITATION_STAFF)
def index(round_id: int):
    survey_round = _round(round_id)
    team = request.args.get("team", "")[:80]
    result, rows = invitations.invitation_rows(survey_round, page_arg(), team=team)
    reminder_form = ReminderForm()
    _team_choices(reminder_form)
    return render_template(
        "invitations/index.html",
        survey_round=survey_round,
        page=result,
        rows=rows,
        channel_labels=CHANNEL_LABELS,
        schedule=invitations.schedule_for(survey_round),
        letters_waiting=invitations.letters_waiting(survey_round),
        letters_today=letters.count_letters(survey_round, "today"),
        letters_all=letters.count_letters(survey_round, "all"),
        letters_by_notify=letters.by_notify(),
        letters_per_part=current_app.config["LETTERS_PER_PART"],
        printed_form=ConfirmForm(),
        reminder_form=reminder_form,
        spaced=invitations.spaced,
        team=team,
        teams=teams(),
    )


@bp.route("/staff/rounds/<int:round_id>/invitations/new", methods=["GET", "POST"])
@allow(*INVITATION_STAFF)
def new(round_id: int):
    survey_round = _round(round_id)
    form = InviteForm()
    _team_choices(form)
    error = None
    if form.validate_on_submit():
        try:
            return _invite(survey_round, form)
        except invitations.InvitationInvalid as exc:
            error = str(exc)
    return render_template(
        "invitations/new.html", survey_round=survey_round, form=form, error=error
    ), (400 if error or form.errors else 200)


def _invite(survey_round: SurveyRound, form: InviteForm):
    """A valid invitation form: the page to check it on, or (confirmed, once per check) the
    invitations made and the list with how many went each way."""
    filters = invitations.InviteFilter(
        team=form.team.data or "",
        age_band=form.age_band.data or "",
        legal_status=form.legal_status.data or "",
        in_touch=form.in_touch.data or "",
    )
    assert form.channels.data is not None  # InputRequired passed
    token = confirm.token_from(request.form)
    if not token:
        return confirm.render_confirm(
            invitations.preview_invitations(survey_round, filters, form.channels.data),
            title="Check the invitations",
            back_url=url_for("invitations.new", round_id=survey_round.id),
            form=request.form,
        )
    if not confirm.claim(token, "invitations"):
        flash("These invitations were sent already")
        return redirect(url_for("invitations.index", round_id=survey_round.id))
    result = invitations.create_invitations(survey_round, filters, form.channels.data)
    tasks.deliver_emails()  # the emails go from the job consumer, not this request
    tasks.deliver_letters()  # and the letters, when GOV.UK Notify posts them
    sent = ", ".join(f"{n} by {CHANNEL_LABELS[c].lower()}" for c, n in result.by_channel.items())
    flash(
        f"{result.invited} people invited ({sent or 'none'}). "
        f"{result.unreachable} had no details for the ways you chose."
    )
    return redirect(url_for("invitations.index", round_id=survey_round.id))


@bp.post("/staff/rounds/<int:round_id>/invitations/remind")
@allow(*INVITATION_STAFF)
def remind(round_id: int):
    survey_round = _round(round_id)
    form = ReminderForm()
    _team_choices(form)
    if form.validate_on_submit():
        filters = invitations.InviteFilter(
            team=form.team.data or "", age_band=form.age_band.data or ""
        )
        token = confirm.token_from(request.form)
        try:
            if not token:
                return confirm.render_confirm(
                    invitations.preview_reminder(survey_round, filters),
                    title="Check the reminder",
                    back_url=url_for("invitations.index", round_id=survey_round.id),
                    form=request.form,
                )
            if not confirm.claim(token, "reminder"):
                flash("This reminder was sent already")
                return redirect(url_for("invitations.index", round_id=survey_round.id))
            count = invitations.send_one_off_reminder(survey_round, filters)
        except invitations.InvitationInvalid as exc:
            flash(str(exc))
        else:
            tasks.deliver_emails()
            flash(f"{count} reminders queued for people who have not answered yet")
    return redirect(url_for("invitations.index", round_id=survey_round.id))


@bp.route("/staff/rounds/<int:round_id>/invitations/schedule", methods=["GET", "POST"])
@allow(*INVITATION_STAFF)
def schedule(round_id: int):
    survey_round = _round(round_id)
    form = ScheduleForm()
    if request.method == "GET":
        form.days.data = ", ".join(str(d) for d in invitations.schedule_for(survey_round))
    if form.validate_on_submit():
        invitations.set_schedule(survey_round, form.numbers)
        flash("Reminder schedule saved")
        return redirect(url_for("invitations.index", round_id=survey_round.id))
    return render_template("invitations/schedule.html", survey_round=survey_round, form=form), (
        400 if form.errors else 200
    )


@bp.get("/staff/rounds/<int:round_id>/invitations/letters.pdf")
@allow(*INVITATION_STAFF)
def letters_pdf(round_id: int):
    survey_round = _round(round_id)
    which = _which_letters()
    if not letters.made_while_you_wait(letters.count_letters(survey_round, which)):
        flash("That is too many letters to make while you wait: use the button to make the PDF")
        return redirect(url_for("invitations.index", round_id=survey_round.id))
    pdf = letters.letters_pdf(survey_round, which)
    if pdf is None:
        flash("There are no letters to print")
        return redirect(url_for("invitations.index", round_id=survey_round.id))
    return HttpResponse(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{survey_round.slug}-letters.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/staff/rounds/<int:round_id>/invitations/letters/runs")
@allow(*INVITATION_STAFF)
def start_letter_run(round_id: int):
    survey_round = _round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    run = letter_runs.start(survey_round, _which_letters(), current_user.id)
    if run is None:
        flash("There are no letters to print")
        return redirect(url_for("invitations.index", round_id=survey_round.id))
    enqueue_after_commit(tasks.make_letters, run.id)
    db.session.commit()
    return redirect(url_for("invitations.letter_run", round_id=survey_round.id, run_id=run.id))


def _letter_run(round_id: int, run_id: int) -> letter_runs.LetterRun:
    run = letter_runs.get_run(_round(round_id), run_id)
    if run is None:
        abort(404)
    return run


@bp.get("/staff/rounds/<int:round_id>/invitations/letters/runs/<int:run_id>")
@allow(*INVITATION_STAFF)
def letter_run(round_id: int, run_id: int):
    run = _letter_run(round_id, run_id)
    return render_page_or_partial(
        "invitations/letter_run.html",
        "invitations/_partials/letter_run.html",
        run=run,
        survey_round=run.survey_round,
        retry_form=ConfirmForm(),
    )


@bp.get("/staff/rounds/<int:round_id>/invitations/letters/runs/<int:run_id>/letters.pdf")
@allow(*INVITATION_STAFF)
def letter_run_pdf(round_id: int, run_id: int):
    run = _letter_run(round_id, run_id)
    found = letter_runs.path(run)
    if found is None:
        abort(404)
    letter_runs.record_download(run)
    response = send_file(
        found,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{run.survey_round.slug}-letters.pdf",
        conditional=False,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/staff/rounds/<int:round_id>/invitations/letters/printed")
@allow(*INVITATION_STAFF)
def letters_printed(round_id: int):
    survey_round = _round(round_id)
    if ConfirmForm().validate_on_submit():
        marked = letters.mark_printed(survey_round, _which_letters())
        flash(f"{marked} {'letter' if marked == 1 else 'letters'} marked as printed")
    return redirect(url_for("invitations.index", round_id=survey_round.id))


def _which_letters() -> str:
    # ?all=1 was the reprint link before "which"; it still means every letter.
    if request.args.get("all") == "1":
        return "all"
    which = request.values.get("which", "waiting")
    return which if which in letters.WHICH else "waiting"


@bp.post("/notify/receipts")
@public
@signed
@csrf.exempt
def notify_receipts():
    """GOV.UK Notify's delivery receipts (texts, emails, letters), with its bearer token."""
    invitations.record_notify_receipt(notify.callback_json(required=("id", "status")))
    return HttpResponse(status=204)


@bp.get("/staff/rounds/<int:round_id>/response-rate")
@allow(*INVITATION_STAFF)
def response_rate(round_id: int):
    survey_round = _round(round_id)
    board = dashboard.dashboard(survey_round)
    return render_page_or_partial(
        "invitations/dashboard.html",
        "invitations/_partials/dashboard.html",
        survey_round=survey_round,
        board=board,
        alt=dashboard.alt_text(board),
        privacy_key=KEY,
    )


@bp.get("/staff/rounds/<int:round_id>/reach")
@allow(*INVITATION_STAFF)
def reach_page(round_id: int):
    survey_round = _round(round_id)
    return render_template(
        "invitations/reach.html", figures=dashboard.reach_figures(survey_round), privacy_key=KEY
    )


@bp.get("/staff/rounds/<int:round_id>/response-rate/chart.svg")
@allow(*INVITATION_STAFF)
def chart(round_id: int):
    survey_round = _round(round_id)
    svg = dashboard.chart_svg(dashboard.dashboard(survey_round))
    return HttpResponse(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
