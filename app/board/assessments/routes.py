"""Self-assessment pages. Board members read (the list and each round); admins and
participation workers start rounds and enter answers and the critical friend's ratings.
Every form is plain HTML (no JavaScript needed) with a CSRF token."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.board.assessments import forms, report, services
from app.board.assessments.frameworks import frameworks
from app.board.assessments.models import RESPONDENT_LABELS, Respondents
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("assessments", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
READERS = (*WORKERS, Role.BOARD_MEMBER)
GROUPS = {"staff": Respondents.STAFF, "young-people": Respondents.YOUNG_PEOPLE}


def _round(round_id: int):
    found = services.get_round(round_id)
    if found is None:
        abort(404)
    return found


@bp.get("/board/assessments")
@allow(*READERS)
def index():
    return render_template(
        "board/assessments/index.html",
        frameworks=frameworks(),
        rounds=services.rounds(),
        can_edit=current_user.role_enum in WORKERS,
    )


@bp.route("/board/assessments/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_round():
    form = forms.RoundForm()
    if form.validate_on_submit():
        try:
            created = services.create_round(
                form.framework.data, form.held_on.data, form.name.data or "", current_user
            )
        except services.AssessmentError as exc:
            form.held_on.errors = [*form.held_on.errors, str(exc)]
        else:
            flash("Assessment started. Enter the staff's and the young people's answers")
            return redirect(url_for("assessments.round_page", round_id=created.id))
    return render_template("board/assessments/new.html", form=form)


@bp.get("/board/assessments/<int:round_id>")
@allow(*READERS)
def round_page(round_id: int):
    view = services.round_view(_round(round_id))
    return render_template(
        "board/assessments/round.html",
        view=view,
        charts=report.round_charts(view),
        can_edit=current_user.role_enum in WORKERS,
        change_text=services.change_text,
        score_text=services.score_text,
    )


@bp.route(
    "/board/assessments/<int:round_id>/<any(staff, 'young-people'):group>/answers",
    methods=["GET", "POST"],
)
@allow(*WORKERS)
def answers(round_id: int, group: str):
    found = _round(round_id)
    framework = services.framework_of(found)
    target = services.assessment(found, GROUPS[group])
    posted = request.form if request.method == "POST" else None
    form = forms.answers_form(framework, target, posted)
    error, latest = None, None
    if posted is not None and form.validate():
        saved = _save_answers(found, framework, target, form, group)
        if not isinstance(saved, tuple):
            return saved
        error, latest = saved
    page = render_template(
        "board/assessments/answers.html",
        round=found,
        framework=framework,
        form=form,
        group=group,
        group_label=RESPONDENT_LABELS[GROUPS[group]],
        error=error,
        latest=latest,
    )
    return page, (409 if latest is not None else 400 if posted is not None else 200)


def _save_answers(found, framework, target, form, group: str):
    """Save a valid answers form: the round's page, or (the error to show, the scores someone
    else saved meanwhile, if that is the error)."""
    scores, evidence = forms.submitted(framework, form)
    try:
        services.save_answers(
            target,
            forms.expected_version(form),
            scores,
            evidence,
            form.people.data,
            form.notes.data or "",
            current_user,
        )
    except services.StaleEdit as exc:
        # Keep what this person typed, show what was saved meanwhile, and let a second,
        # deliberate save replace it (the form now carries the current version).
        form.version.data = str(target.version)
        return str(exc), services.scores_of(target)
    except services.AssessmentError as exc:
        return str(exc), None
    flash(f"{RESPONDENT_LABELS[GROUPS[group]]} answers saved")
    return redirect(url_for("assessments.round_page", round_id=found.id))


@bp.route("/board/assessments/<int:round_id>/critical-friend", methods=["GET", "POST"])
@allow(*WORKERS)
def critical_friend(round_id: int):
    found = _round(round_id)
    posted = request.form if request.method == "POST" else None
    form = forms.friend_form(found, posted)
    error, stale = None, False
    if posted is not None and form.validate():
        try:
            services.save_friend(found, forms.expected_version(form), form.data, current_user)
        except services.StaleEdit as exc:
            error, stale = str(exc), True
            form.version.data = str(found.friend_version)
        except services.AssessmentError as exc:
            error = str(exc)
        else:
            flash("The critical friend's ratings are saved")
            return redirect(url_for("assessments.round_page", round_id=found.id))
    page = render_template(
        "board/assessments/friend.html", round=found, form=form, error=error, stale=stale
    )
    return page, (409 if stale else 400 if posted is not None else 200)
