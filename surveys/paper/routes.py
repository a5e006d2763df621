"""Paper and data entry pages: choose a round, key forms, settle double-entry differences,
print numbered forms, and set a round's entry deadline and double entry."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask import Response as HttpResponse
from flask_login import current_user

from app.core.pages import render_page_or_partial
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from app.staff.authority.services import get_settings
from surveys.models import Channel, SurveyRound
from surveys.paper import pdf
from surveys.paper import services as paper
from surveys.paper.forms import (
    KeyingForm,
    PaperSettingsForm,
    PrintForm,
    ReprintForm,
    SettleForm,
    VoidForm,
)
from surveys.paper.models import FormStatus, PaperForm
from surveys.rounds.services import get_round

bp = Blueprint("paper", __name__)

KEYING_STAFF = (Role.DATA_ENTRY, Role.ADMIN, Role.PARTICIPATION_WORKER)
ROUND_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)
SAVED = "paper.saved"


def _round(round_id: int) -> SurveyRound:
    survey_round = get_round(round_id)
    if survey_round is None or survey_round.status == "draft":
        abort(404)
    return survey_round


@bp.get("/staff/paper")
@allow(*KEYING_STAFF)
def index():
    rows = [(r, paper.keying_figures(r)) for r in paper.keying_rounds()]
    return render_template("surveys/paper/index.html", rows=rows)


@bp.route("/staff/paper/rounds/<int:round_id>/key", methods=["GET", "POST"])
@allow(*KEYING_STAFF)
def key(round_id: int):
    survey_round = _round(round_id)
    form = KeyingForm(request.form if request.method == "POST" else request.args)
    errors: dict[str, str] = {}
    error, risk = None, False
    if request.method == "POST" and form.validate_on_submit():
        try:
            return _save_keying(survey_round, form)
        except paper.KeyingInvalid as exc:
            errors, risk = exc.errors, exc.flagged
        except paper.KeyingError as exc:
            error, risk = str(exc), exc.flagged
    elif request.method == "POST":
        errors = {name: messages[0] for name, messages in form.errors.items()}
    return render_template(
        "surveys/paper/key.html",
        survey_round=survey_round,
        form=form,
        errors=errors,
        error=error,
        risk=_hand_over() if risk else "",
        values=request.form if request.method == "POST" else {},
        questions=list(survey_round.questions),
        figures=paper.keying_figures(survey_round),
        paper=paper,
        saved=session.pop(SAVED, []) if request.method == "GET" else [],
    ), (200 if request.method == "GET" or not (errors or error) else 400)


def _save_keying(survey_round: SurveyRound, form: KeyingForm):
    """Key a valid form (KeyingError if it cannot be) and go back to an empty one, the same way
    of answering kept, with what was saved (and, for a risk, whom to give the paper to)."""
    result = paper.key_form(
        survey_round,
        form.serial.data or "",
        Channel(form.channel.data),
        bool(form.assisted.data),
        request.form.to_dict(),
        user_id=current_user.id,
    )
    # Not flash(): the shared flash banner takes focus, and the serial must keep it.
    session[SAVED] = [result.message, *([_hand_over()] if result.flagged else [])]
    keep = {"channel": form.channel.data}
    if form.assisted.data:
        keep["assisted"] = "y"
    return redirect(url_for("paper.key", round_id=survey_round.id, **keep))


def _hand_over() -> str:
    lead = get_settings()
    return (
        "This form may show a young person at risk. Give the paper form to the safeguarding "
        f"lead today ({lead.safeguarding_lead_name} {lead.safeguarding_lead_phone})."
    )


@bp.get("/staff/paper/rounds/<int:round_id>/serial")
@allow(*KEYING_STAFF)
def serial_check(round_id: int):
    survey_round = _round(round_id)
    status = paper.serial_status(survey_round, request.args.get("serial", "")[:40], current_user.id)
    return render_page_or_partial(
        "surveys/paper/serial.html",
        "surveys/paper/_partials/serial_status.html",
        survey_round=survey_round,
        status=status,
    )


@bp.get("/staff/paper/rounds/<int:round_id>/settle")
@allow(*KEYING_STAFF)
def settle_list(round_id: int):
    survey_round = _round(round_id)
    return render_template(
        "surveys/paper/settle_list.html",
        survey_round=survey_round,
        forms=paper.forms_to_settle(survey_round),
        serial_text=paper.serial_text,
    )


@bp.route("/staff/paper/rounds/<int:round_id>/settle/<int:form_id>", methods=["GET", "POST"])
@allow(*KEYING_STAFF)
def settle(round_id: int, form_id: int):
    survey_round = _round(round_id)
    paper_form = paper.get_form(survey_round, form_id)
    if paper_form is None or paper_form.status != FormStatus.MISMATCH:
        abort(404)
    form = SettleForm()
    errors: dict[str, str] = {}
    error = None
    if form.validate_on_submit():
        try:
            paper.settle(paper_form, request.form.to_dict(), user_id=current_user.id)
        except paper.KeyingInvalid as exc:
            errors = exc.errors
        except paper.KeyingError as exc:
            error = str(exc)
        else:
            flash(f"Settled {paper.serial_text(survey_round, paper_form.number)}. It now counts.")
            return redirect(url_for("paper.settle_list", round_id=round_id))
    return _settle_page(survey_round, paper_form, form, errors, error)


def _settle_page(survey_round: SurveyRound, paper_form: PaperForm, form, errors, error):
    questions = list(survey_round.questions)
    first, second = paper_form.entries
    return render_template(
        "surveys/paper/settle.html",
        survey_round=survey_round,
        paper_form=paper_form,
        serial=paper.serial_text(survey_round, paper_form.number),
        differences=paper.differences(questions, first, second),
        form=form,
        errors=errors,
        error=error,
    ), (400 if errors or error else 200)


@bp.route("/staff/paper/rounds/<int:round_id>/print", methods=["GET", "POST"])
@allow(*KEYING_STAFF)
def print_forms(round_id: int):
    survey_round = _round(round_id)
    form = PrintForm()
    form.language.choices = paper.form_languages(survey_round)
    error = None
    if form.validate_on_submit():
        assert form.count.data is not None  # InputRequired and NumberRange passed
        try:
            numbers = paper.allocate_serials(survey_round, form.count.data)
        except paper.KeyingError as exc:
            error = str(exc)
        else:
            return _forms_pdf(
                survey_round,
                numbers,
                large_print=bool(form.large_print.data),
                language=form.language.data,
            )
    return _print_page(survey_round, form, ReprintForm(formdata=None), error)


@bp.post("/staff/paper/rounds/<int:round_id>/reprint")
@allow(*KEYING_STAFF)
def reprint(round_id: int):
    survey_round = _round(round_id)
    form = ReprintForm()
    form.language.choices = paper.form_languages(survey_round)
    if form.validate_on_submit():
        try:
            number = paper.reprint_serial(survey_round, form.serial.data or "")
        except paper.KeyingInvalid as exc:
            form.serial.errors = [exc.errors["serial"]]
        else:
            return _forms_pdf(
                survey_round, [number], large_print=False, language=form.language.data
            )
    return _print_page(survey_round, PrintForm(formdata=None), form, None)


def _forms_pdf(
    survey_round: SurveyRound, numbers: list[int], *, large_print: bool, language: str = "en"
):
    body = pdf.forms_pdf(survey_round, numbers, large_print=large_print, language=language)
    size = "large-print-" if large_print else ""
    lang = "" if language == "en" else f"{language}-"
    name = f"{survey_round.slug}-paper-forms-{size}{lang}{numbers[0]:04d}-{numbers[-1]:04d}.pdf"
    return HttpResponse(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _print_page(survey_round: SurveyRound, form, reprint_form, error):
    form.language.choices = reprint_form.language.choices = paper.form_languages(survey_round)
    return render_template(
        "surveys/paper/print.html",
        survey_round=survey_round,
        form=form,
        reprint_form=reprint_form,
        error=error,
        next_number=paper.next_free_number(survey_round),
        serial_text=paper.serial_text,
    ), (400 if reprint_form.errors else 200)


@bp.route("/staff/paper/rounds/<int:round_id>/void", methods=["GET", "POST"])
@allow(*ROUND_STAFF)
def void(round_id: int):
    """Two steps: the first post shows what voiding would do; the confirm post voids."""
    survey_round = _round(round_id)
    form = VoidForm()
    check = error = None
    if form.validate_on_submit():
        serial, reason = form.serial.data or "", form.reason.data or ""
        try:
            if form.confirmed.data != "yes":
                check = paper.check_void(survey_round, serial, reason)
            else:
                done = paper.void_form(survey_round, serial, reason, user_id=current_user.id)
                flash(
                    f"Voided {done.serial}. Its answers no longer count. You can key the form "
                    "again or print a replacement with the same number."
                )
                return redirect(url_for("paper.index"))
        except paper.KeyingInvalid as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
        except paper.KeyingError as exc:
            error = str(exc)
    template = "surveys/paper/void_confirm.html" if check else "surveys/paper/void.html"
    return render_template(
        template, survey_round=survey_round, form=form, check=check, error=error
    ), (400 if form.errors or error else 200)


@bp.route("/staff/paper/rounds/<int:round_id>/settings", methods=["GET", "POST"])
@allow(*ROUND_STAFF)
def settings(round_id: int):
    survey_round = _round(round_id)
    current = paper.settings_for(survey_round)
    form = PaperSettingsForm(
        entry_deadline=current.entry_deadline or survey_round.closes_on,
        double_entry=current.double_entry,
    )
    error = None
    if form.validate_on_submit():
        try:
            paper.update_settings(
                survey_round,
                entry_deadline=form.entry_deadline.data,
                double_entry=bool(form.double_entry.data),
            )
        except paper.KeyingError as exc:
            error = str(exc)
        else:
            flash("Paper settings saved")
            return redirect(url_for("paper.index"))
    return render_template(
        "surveys/paper/settings.html", survey_round=survey_round, form=form, error=error
    )
