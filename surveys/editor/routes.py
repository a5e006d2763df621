"""Staff pages for questionnaire versions: list, view, copy, and change a draft.

Move and remove answer an htmx request with the updated question list; without JavaScript they
redirect back to the version page. A change to a locked version is refused with a message.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from app.core.extensions import db
from app.core.forms import ConfirmForm
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.editor import services as editor
from surveys.editor.forms import (
    NewQuestionForm,
    QuestionForm,
    QuestionKindForm,
    QuestionnaireDetailsForm,
)
from surveys.editor.services import QuestionInvalid, QuestionnaireLocked
from surveys.editor.sms import sms_segments
from surveys.models import Question, QuestionKind, Questionnaire
from surveys.services import copy_to_draft, questionnaires

bp = Blueprint("questionnaires", __name__)

EDITORS = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def _questionnaire(questionnaire_id: int) -> Questionnaire:
    return db.session.get(Questionnaire, questionnaire_id) or abort(404)


def _question(questionnaire: Questionnaire, code: str) -> Question:
    return editor.question_by_code(questionnaire, code) or abort(404)


def _is_htmx() -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


def _version_page(
    questionnaire: Questionnaire,
    *,
    status: int = 200,
    error: str | None = None,
    message: str | None = None,
):
    """The version page, or for htmx just its question list (with ``message`` in it)."""
    context = {
        "questionnaire": questionnaire,
        "locked": editor.is_locked(questionnaire),
        "rounds": editor.rounds_using([questionnaire.id]).get(questionnaire.id, 0),
        "based_on": questionnaire.based_on_id
        and db.session.get(Questionnaire, questionnaire.based_on_id),
        "error": error,
        "message": message,
        "kind_labels": editor.KIND_LABELS,
        "sms_segments": sms_segments,
        "htmx_partial": _is_htmx(),
    }
    if _is_htmx():
        # htmx swaps only 2xx answers, so a refusal comes back as 200 with the message in it.
        template, status = "surveys/questionnaires/_partials/questions.html", 200
    else:
        template = "surveys/questionnaires/version.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@bp.errorhandler(QuestionnaireLocked)
def refuse_locked_change(exc: QuestionnaireLocked):
    db.session.rollback()
    return _version_page(exc.questionnaire, status=409, error=str(exc))


def _after_change(questionnaire: Questionnaire, message: str):
    """htmx: the updated list with the message in it; otherwise back to the version page."""
    if _is_htmx():
        return _version_page(questionnaire, message=message)
    flash(message)
    return redirect(url_for("questionnaires.version", questionnaire_id=questionnaire.id))


def _refuse_if_locked(questionnaire: Questionnaire) -> None:
    """Refuse a POST to a locked version before reading its form (the services check too)."""
    if request.method == "POST" and editor.is_locked(questionnaire):
        raise QuestionnaireLocked(questionnaire)


def _saved_message(question: Question, what: str) -> str:
    warning = editor.sms_warning(question.sms_text)
    return f"{question.code} {what}" + (f" {warning}" if warning else "")


def _checked_action() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.get("/questionnaires")
@allow(*EDITORS)
def versions():
    items = questionnaires()
    return render_template(
        "surveys/questionnaires/versions.html",
        questionnaires=items,
        rounds=editor.rounds_using([q.id for q in items]),
        built_in_missing=editor.built_in_missing(),
    )


@bp.post("/questionnaires/built-in")
@allow(*EDITORS)
def add_built_in():
    _checked_action()
    questionnaire = editor.add_built_in()
    flash(f"{questionnaire.label} is ready to use or copy.")
    return redirect(url_for("questionnaires.version", questionnaire_id=questionnaire.id))


@bp.get("/questionnaires/<int:questionnaire_id>")
@allow(*EDITORS)
def version(questionnaire_id: int):
    return _version_page(_questionnaire(questionnaire_id))


@bp.post("/questionnaires/<int:questionnaire_id>/copy")
@allow(*EDITORS)
def copy(questionnaire_id: int):
    source = _questionnaire(questionnaire_id)
    _checked_action()
    draft = copy_to_draft(source)
    flash(f"Version {draft.version} is a new draft copied from version {source.version}.")
    return redirect(url_for("questionnaires.version", questionnaire_id=draft.id))


@bp.route("/questionnaires/<int:questionnaire_id>/details", methods=["GET", "POST"])
@allow(*EDITORS)
def edit_details(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    _refuse_if_locked(questionnaire)
    form = QuestionnaireDetailsForm(obj=questionnaire)
    if form.validate_on_submit():
        try:
            editor.update_details(
                questionnaire,
                title=form.title.data or "",
                introduction=form.introduction.data or "",
                closing=form.closing.data or "",
            )
        except QuestionInvalid as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash("Title, introduction and closing words saved.")
            return redirect(url_for("questionnaires.version", questionnaire_id=questionnaire.id))
    return render_template(
        "surveys/questionnaires/details.html",
        form=form,
        questionnaire=questionnaire,
        locked=editor.is_locked(questionnaire),
    )


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@allow(*EDITORS)
def add_question(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    _refuse_if_locked(questionnaire)
    locked = editor.is_locked(questionnaire)
    kind_form = QuestionKindForm(request.values)
    if locked or not ("kind" in request.values and kind_form.validate()):
        return _kind_page(questionnaire, kind_form, locked)
    kind = QuestionKind(kind_form.kind.data)
    form = NewQuestionForm(
        code=editor.next_local_code(questionnaire), kind=kind.value, max_items="3"
    )
    if form.validate_on_submit():
        try:
            question = editor.add_question(
                questionnaire, form.code.data or "", kind, form.wording()
            )
        except QuestionInvalid as exc:
            getattr(form, exc.field or "web_text").errors.append(str(exc))
        else:
            flash(_saved_message(question, "added at the end. Move it up to put it in place."))
            return redirect(url_for("questionnaires.version", questionnaire_id=questionnaire.id))
    return render_template(
        "surveys/questionnaires/question.html",
        form=form,
        questionnaire=questionnaire,
        question=None,
        kind=kind,
        kind_label=editor.KIND_LABELS[kind],
        locked=False,
    )


def _kind_page(questionnaire, kind_form: QuestionKindForm, locked: bool) -> str:
    """The first step of adding a question: choosing its kind (again, if the one sent is not
    a kind; or only saying why not, if the version is locked)."""
    return render_template(
        "surveys/questionnaires/add_kind.html",
        form=kind_form if "kind" in request.values else QuestionKindForm(formdata=None),
        questionnaire=questionnaire,
        locked=locked,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<code>", methods=["GET", "POST"])
@allow(*EDITORS)
def edit_question(questionnaire_id: int, code: str):
    questionnaire = _questionnaire(questionnaire_id)
    question = _question(questionnaire, code)
    _refuse_if_locked(questionnaire)
    form = QuestionForm(obj=question, options_text=editor.options_as_text(question.options))
    if form.validate_on_submit():
        try:
            editor.update_question(question, form.wording(question.max_items))
        except QuestionInvalid as exc:
            getattr(form, exc.field or "web_text").errors.append(str(exc))
        else:
            flash(_saved_message(question, "saved."))
            return redirect(url_for("questionnaires.version", questionnaire_id=questionnaire.id))
    return render_template(
        "surveys/questionnaires/question.html",
        form=form,
        questionnaire=questionnaire,
        question=question,
        kind=question.kind_enum,
        kind_label=editor.KIND_LABELS[question.kind_enum],
        locked=editor.is_locked(questionnaire),
        sms_warning=editor.sms_warning(form.sms_text.data or ""),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<code>/move/<any(up, down):direction>")
@allow(*EDITORS)
def move_question(questionnaire_id: int, code: str, direction: str):
    questionnaire = _questionnaire(questionnaire_id)
    question = _question(questionnaire, code)
    _checked_action()
    if editor.move_question(question, direction):
        message = f"{code} is now question {question.position}."
    else:
        message = f"{code} is already {'first' if direction == 'up' else 'last'}."
    return _after_change(questionnaire, message)


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<code>/remove")
@allow(*EDITORS)
def remove_question(questionnaire_id: int, code: str):
    questionnaire = _questionnaire(questionnaire_id)
    question = _question(questionnaire, code)
    _checked_action()
    editor.remove_question(question)
    return _after_change(questionnaire, f"{code} removed from version {questionnaire.version}.")
