"""Board pages for the board-forum loop (issue 23): the front page's editor, and a board
member's request for the pack for their meeting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.board import front_page, pack_ready, pack_requests, services, tasks
from app.board.loop_forms import FrontPageForm
from app.core.forms import ConfirmForm
from app.core.pages import int_arg
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("board_loop", __name__)
bp.app_context_processor(pack_ready.template_context)  # "Your pack is ready", on every page

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
READERS = (*WORKERS, Role.BOARD_MEMBER)


@bp.route("/board/front-page", methods=["GET", "POST"])
@allow(*WORKERS)
def edit_front_page():
    """Edit what the board reads first; the drafts come from the round's best and worst things."""
    survey_round = services.get_round(int_arg("round"))
    if survey_round is None:
        abort(404)
    page = front_page.view(services.dashboard(survey_round))
    form = FrontPageForm()
    if request.method == "GET":
        form.working_well.data = "\n".join(page.working_well)
        form.to_improve.data = "\n".join(page.to_improve)
        form.decisions.data = "\n".join(page.decisions)
    elif form.validate_on_submit():
        front_page.save(
            survey_round,
            form.working_well.data or "",
            form.to_improve.data or "",
            form.decisions.data or "",
            current_user._get_current_object(),
        )
        flash("The board's front page is saved. It shows on the dashboard and in the next pack")
        return redirect(url_for("board.dashboard", round=survey_round.id, _anchor="front-page"))
    return render_template(
        "board/front_page_form.html", form=form, page=page
    ), 400 if form.errors else 200


@bp.post("/board/meetings/<int:meeting_id>/request-pack")
@allow(*READERS)
def request_pack(meeting_id: int):
    """A board member asks for the pack for this meeting: a job makes it, the page follows it."""
    meeting = services.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        job, created = pack_requests.request_for_meeting(
            meeting, current_user._get_current_object()
        )
    except pack_requests.PackRequestRefused as exc:
        flash(str(exc))
        return redirect(url_for("board.meeting", meeting_id=meeting.id))
    if created:
        tasks.make_pack(job.id)
        flash("We are making the pack. This page shows when it is ready")
    else:
        flash("Nothing has changed since this pack was asked for, so here it is")
    return redirect(url_for("board.pack_status", pack_id=job.id))
