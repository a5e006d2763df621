"""Forum pages for the board-forum loop (issue 23): the forum's monitoring of actions, recorded
at a forum meeting, and the schedule of its presentations to the board."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from forum import monitoring, presentations, services
from forum.loop_forms import PresentationForm, ReviewForm
from forum.models import ForumMeeting

bp = Blueprint("forum_loop", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def review_form() -> ReviewForm:
    """The form on a forum meeting's page (forum.routes.meeting shows it)."""
    form = ReviewForm(prefix="review")
    form.action_id.choices = [(0, "Choose an action")] + [
        (row.action.id, f"{row.action.item.topic}: {row.action.what[:90]}")
        for row in services.tracker()
    ]
    return form


def _meeting(meeting_id: int) -> ForumMeeting:
    found = services.get_meeting(meeting_id)
    if found is None:
        abort(404)
    return found


@bp.post("/staff/forum/meetings/<int:meeting_id>/reviews")
@allow(*WORKERS)
def record_review(meeting_id: int):
    held = _meeting(meeting_id)
    form = review_form()
    if form.validate_on_submit():
        values = monitoring.ReviewValues(
            form.action_id.data or 0,
            form.happened.data or "",
            form.satisfaction_value(),
            form.comments.data or "",
        )
        try:
            monitoring.record_review(held, values, current_user._get_current_object())
        except monitoring.MonitoringError as exc:
            form.action_id.errors = [*form.action_id.errors, str(exc)]
        else:
            flash("What the forum said about the action is recorded")
            return redirect(url_for("forum.meeting", meeting_id=held.id, _anchor="monitoring"))
    return render_template(
        "forum/meeting_review.html",
        meeting=held,
        review_form=form,
        reviews=monitoring.reviews_at(held),
    ), 400


@bp.route("/staff/forum/presentations", methods=["GET", "POST"])
@allow(*WORKERS)
def presentations_page():
    form = PresentationForm()
    if form.validate_on_submit():
        try:
            presentations.add_presentation(
                form.presents_on.data,
                form.meeting.data or "",
                form.topic.data or "",
                form.presenters.data or "",
                current_user._get_current_object(),
            )
        except presentations.PresentationError as exc:
            form.topic.errors = [*form.topic.errors, str(exc)]
        else:
            flash("Added to the schedule of presentations to the board")
            return redirect(url_for("forum_loop.presentations_page"))
    return render_template(
        "forum/presentations.html",
        form=form,
        schedule=presentations.schedule(),
        confirm=ConfirmForm(),
        can_edit=True,
    ), 400 if form.errors else 200


@bp.post("/staff/forum/presentations/<int:presentation_id>/remove")
@allow(*WORKERS)
def remove_presentation(presentation_id: int):
    found = presentations.get_presentation(presentation_id)
    if found is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        presentations.remove_presentation(found, current_user._get_current_object())
        flash("Removed from the schedule")
    return redirect(url_for("forum_loop.presentations_page"))
