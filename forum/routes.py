"""Pages for the forum and "you said, we did". Thin: parse, call services, render.

Who sees what (pinned in tests/app/test_access.py):
- Admins and participation workers: everything (members' personal data is audited).
- Board members: the action tracker, the overdue list and "since the last board meeting", read
  only. No member pages, no contact details, no edit forms.
- Everybody, signed in or not: the public "you said, we did" page and its printable poster.
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
from flask_login import current_user

from app.core import clock
from app.core.forms import ConfirmForm
from app.core.pages import first_error, int_arg, render_page_or_partial, render_partial
from app.messaging import confirm
from app.staff.auth.access import allow, public
from app.staff.auth.models import Role
from forum import monitoring, pdf, presentations, services
from forum.forms import (
    ActionForm,
    AttendanceForm,
    ForumCheckForm,
    ItemForm,
    MeetingForm,
    MemberForm,
    MilestoneEditForm,
    MilestoneForm,
    ObjectiveForm,
    PlanForm,
    ProgressForm,
    RatingForm,
    RetireForm,
    StatusForm,
    UpdateForm,
)
from forum.loop_routes import review_form
from forum.models import PAYMENT_TYPES, SOURCE_LABELS, STATUS_LABELS, Action, ActionStatus
from forum.rag import rag_for
from surveys.models import ContactRequest

bp = Blueprint("forum", __name__)
public_bp = Blueprint("ysyd", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
READERS = (*WORKERS, Role.BOARD_MEMBER)


def _or_404(value):
    if value is None:
        abort(404)
    return value


def _actor():
    return current_user._get_current_object()


def _can_edit() -> bool:
    return current_user.role_enum in WORKERS


# --- Forum: members ---------------------------------------------------------------------------


@bp.get("/staff/forum")
@allow(*WORKERS)
def index():
    return render_template(
        "forum/index.html",
        members=services.members(include_left=False),
        moving_on=services.moving_on(),
        interest=services.forum_interest(),
        meetings=services.meetings()[:12],
        schedule=presentations.schedule(),
        confirm=ConfirmForm(),
        today=clock.today(),
        age_on=services.age_on,
    )


@bp.route("/staff/forum/members/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_member():
    form = MemberForm()
    if request.method == "GET":
        form.joined_on.data = clock.today()
    if form.validate_on_submit():
        member = services.save_member(None, _member_values(form))
        flash(f"{member.display_name} added to the forum")
        return redirect(url_for("forum.index"))
    return render_template("forum/member.html", form=form, member=None)


def _member_values(form: MemberForm) -> dict:
    values = {name: getattr(form, name).data for name in services.MEMBER_FIELDS}
    for name in ("name", "preferred_name", "phone", "email"):
        values[name] = (values[name] or "").strip()
    return values


@bp.route("/staff/forum/members/<int:member_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def member(member_id: int):
    person = _or_404(services.get_member(member_id))
    form = MemberForm(obj=person)
    if form.validate_on_submit():
        services.save_member(person, _member_values(form))
        flash(f"Saved {person.display_name}")
        return redirect(url_for("forum.member", member_id=person.id))
    if request.method == "GET":
        services.view_member(person)
    return render_template("forum/member.html", form=form, member=person, confirm=ConfirmForm())


@bp.post("/staff/forum/members/<int:member_id>/erase")
@allow(*WORKERS)
def erase_member(member_id: int):
    person = _or_404(services.get_member(member_id))
    if ConfirmForm().validate_on_submit():
        services.erase_member(person)
        flash("The member's personal details are erased. Their attendance still counts.")
    return redirect(url_for("forum.index"))


@bp.post("/staff/forum/interest/<uuid:request_id>/add")
@allow(*WORKERS)
def add_from_interest(request_id):
    contact = _or_404(services.db.session.get(ContactRequest, str(request_id)))
    if contact.kind != "forum" or contact.handled:
        abort(404)
    if ConfirmForm().validate_on_submit():
        person = services.add_member_from_interest(contact)
        flash(f"{person.display_name} added to the forum. Check their details.")
        return redirect(url_for("forum.member", member_id=person.id))
    return redirect(url_for("forum.index"))


@bp.get("/staff/forum/payments")
@allow(*WORKERS)
def payments():
    years = services.payment_years()
    year = int_arg("year") or years[0]
    totals = services.payment_totals(year)
    return render_template(
        "forum/payments.html",
        years=years,
        year=year,
        totals=totals,
        total_pence=sum(t.pence for t in totals),
    )


# --- Forum: meetings and the register ---------------------------------------------------------


@bp.route("/staff/forum/meetings/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_meeting():
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = services.save_meeting(None, _meeting_values(form))
        flash("Meeting saved. Now tick who came.")
        return redirect(url_for("forum.meeting", meeting_id=meeting.id))
    return render_template("forum/meeting_form.html", form=form, meeting=None)


def _meeting_values(form: MeetingForm) -> dict:
    return {n: getattr(form, n).data for n in ("held_on", "place", "online", "agenda", "notes")}


@bp.route("/staff/forum/meetings/<int:meeting_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def meeting(meeting_id: int):
    held = _or_404(services.get_meeting(meeting_id))
    form = MeetingForm(obj=held)
    if form.validate_on_submit():
        services.save_meeting(held, _meeting_values(form))
        flash("Meeting saved")
        return redirect(url_for("forum.meeting", meeting_id=held.id))
    return render_template(
        "forum/meeting.html",
        meeting=held,
        form=form,
        register=services.register(held),
        payment_types=PAYMENT_TYPES,
        raised=[i for i in services.items() if i.meeting_id == held.id],
        review_form=review_form(),
        reviews=monitoring.reviews_at(held),
    )


@bp.post("/staff/forum/meetings/<int:meeting_id>/register/<int:member_id>")
@allow(*WORKERS)
def attendance(meeting_id: int, member_id: int):
    held = _or_404(services.get_meeting(meeting_id))
    person = _or_404(services.get_member(member_id))
    form = AttendanceForm()
    error = _save_attendance(held, person, form) if form.validate_on_submit() else first_error(form)
    if not request.headers.get("HX-Request"):
        flash(error or f"Register saved for {person.display_name}")
        return redirect(url_for("forum.meeting", meeting_id=held.id) + f"#member-{person.id}")
    row = next((r for r in services.register(held) if r[0].id == person.id), (person, None))
    return render_partial(
        "forum/_partials/register_row.html",
        400 if error else 200,
        meeting=held,
        member=row[0],
        attendance=row[1],
        payment_types=PAYMENT_TYPES,
        error=error,
        saved=error is None,
    )


def _save_attendance(held, person, form: AttendanceForm) -> str | None:
    """Save the posted register line; the reason it was not saved, or None."""
    try:
        services.set_attendance(
            held,
            person,
            present=form.present.data,
            payment_pence=form.amount.pence,
            payment_type=form.payment_type.data,
        )
    except services.ForumError as exc:
        return str(exc)
    return None


# --- You said: items --------------------------------------------------------------------------


@bp.get("/staff/you-said")
@allow(*WORKERS)
def items():
    return render_template("forum/items.html", items=services.items(), sources=SOURCE_LABELS)


def _item_form(form: ItemForm, theme=None) -> ItemForm:
    form.theme_id.choices = [(0, "None")] + [
        (t.id, f"{t.name} ({t.codebook.round.name})") for t in services.theme_choices()
    ]
    form.meeting_id.choices = [(0, "None")] + [
        (m.id, f"{m.held_on:%-d %B %Y}, {m.place}") for m in services.meetings()
    ]
    quotes = services.quotes_for_theme(theme) if theme else []
    form.quote_id.choices = [(0, "No quote")] + [
        (q.id, f"{q.text[:80]} ({'public' if services.quote_is_public(q) else 'board only'})")
        for q in quotes
    ]
    return form


def _item_values(form: ItemForm) -> dict:
    return {
        "source": form.source.data,
        "theme_id": form.theme_id.data or None,
        "meeting_id": form.meeting_id.data or None,
        "text": form.text.data,
        "topic": form.topic.data,
        "quote_id": form.quote_id.data or None,
    }


@bp.route("/staff/you-said/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_item():
    form = ItemForm()
    if request.method == "GET":
        if int_arg("theme_id"):
            form.source.data, form.theme_id.data = "theme", int_arg("theme_id")
        if int_arg("meeting_id"):
            form.source.data, form.meeting_id.data = "forum", int_arg("meeting_id")
    theme = services.db.session.get(services.Theme, form.theme_id.data or 0)
    _item_form(form, theme)
    if form.validate_on_submit():
        try:
            item = services.save_item(None, _item_values(form))
        except services.ForumError as exc:
            form.source.errors = [*form.source.errors, str(exc)]
        else:
            flash("Saved. Now add what will be done.")
            return redirect(url_for("forum.item", item_id=item.id))
    return render_template("forum/item_form.html", form=form, item=None)


@bp.route("/staff/you-said/<int:item_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def item(item_id: int):
    said = _or_404(services.get_item(item_id))
    form = ItemForm(obj=said)
    if request.method == "GET":
        form.theme_id.data, form.meeting_id.data = said.theme_id or 0, said.meeting_id or 0
        form.quote_id.data = said.quote_id or 0
    _item_form(form, said.theme)
    if form.validate_on_submit():
        try:
            services.save_item(said, _item_values(form))
        except services.ForumError as exc:
            form.quote_id.errors = [*form.quote_id.errors, str(exc)]
        else:
            flash("Saved")
            return redirect(url_for("forum.item", item_id=said.id))
    return _render_item(said, form)


def _render_item(said, form: ItemForm, error: str | None = None):
    today = clock.today()
    return render_template(
        "forum/item.html",
        item=said,
        form=form,
        summary=services.theme_summary(said.theme) if said.theme else None,
        rows=[services.TrackerRow(a, rag_for(a, today)) for a in said.actions],
        quote_public=services.quote_is_public(said.quote),
        sources=SOURCE_LABELS,
        error=error,
        error_field="publish",
    )


@bp.post("/staff/you-said/<int:item_id>/publish")
@allow(*WORKERS)
def publish(item_id: int):
    said = _or_404(services.get_item(item_id))
    if ConfirmForm().validate_on_submit():
        try:
            services.publish_item(said, _actor())
        except services.PublishRefused as exc:
            form = _item_form(ItemForm(formdata=None, obj=said), said.theme)
            form.quote_id.data = said.quote_id or 0
            return _render_item(said, form, error=str(exc)), 400
        else:
            flash("Published on the public 'you said, we did' page")
    return redirect(url_for("forum.item", item_id=said.id))


@bp.post("/staff/you-said/<int:item_id>/unpublish")
@allow(*WORKERS)
def unpublish(item_id: int):
    said = _or_404(services.get_item(item_id))
    if ConfirmForm().validate_on_submit():
        services.unpublish_item(said, _actor())
        flash("Taken off the public page")
    return redirect(url_for("forum.item", item_id=said.id))


# --- We did: actions --------------------------------------------------------------------------


def _action_form(form: ActionForm, action: Action | None = None) -> ActionForm:
    owner = action.owner if action else None
    form.owner_id.choices = [(0, "Choose the owner")] + [
        (u.id, u.name + ("" if u.is_enabled else " (has left)"))
        for u in services.owner_choices(owner)
    ]
    form.milestone_id.choices = [(0, "None")] + [(m.id, m.title) for m in services.milestones()]
    return form


def _action_values(form: ActionForm) -> dict:
    return {
        "what": form.what.data,
        "owner_id": form.owner_id.data or None,
        "owner_team": form.owner_team.data,
        "due_on": form.due_on.data,
        "status": form.status.data,
        "wont_do_reason": form.wont_do_reason.data,
        "milestone_id": form.milestone_id.data or None,
        "evidence_links": form.links(),
    }


@bp.route("/staff/you-said/<int:item_id>/actions/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_action(item_id: int):
    said = _or_404(services.get_item(item_id))
    form = _action_form(ActionForm())
    warning = None
    if form.validate_on_submit():
        warning = services.due_date_warning(form.due_on.data)
        if warning is None or form.confirm_past.data:
            try:
                services.create_action(said, _action_values(form), _actor())
            except services.ActionInvalid as exc:
                form.what.errors = [*form.what.errors, str(exc)]
            else:
                flash("Action added")
                return redirect(url_for("forum.item", item_id=said.id))
    return render_template(
        "forum/action_form.html", form=form, item=said, action=None, warning=warning
    )


@bp.route("/staff/actions/<int:action_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def action(action_id: int):
    act = _or_404(services.get_action(action_id))
    form = _action_form(ActionForm(obj=act), act)
    conflict, warning, status = None, None, 200
    if request.method == "GET":
        form.owner_id.data, form.milestone_id.data = act.owner_id or 0, act.milestone_id or 0
        form.evidence.data = "\n".join(act.evidence_links or [])
        form.version.data = str(act.version)
    elif form.validate_on_submit():
        changed_due = form.due_on.data != act.due_on
        warning = services.due_date_warning(form.due_on.data) if changed_due else None
        if warning is None or form.confirm_past.data:
            try:
                services.update_action(act, form.seen_version(), _action_values(form), _actor())
            except services.ActionConflict as exc:
                conflict, status = exc.current, 409
                form.version.data = str(exc.current.version)
            except services.ActionInvalid as exc:
                form.what.errors = [*form.what.errors, str(exc)]
            else:
                flash("Action saved")
                return redirect(url_for("forum.action", action_id=act.id))
    return _render_action(act, form, conflict=conflict, warning=warning), status


def _render_action(act: Action, form: ActionForm, **extra):
    today = clock.today()
    check = ForumCheckForm()
    check.member_ids.choices = [
        (m.id, m.display_name) for m in services.members(include_left=False)
    ]
    rating = RatingForm(
        rating=act.rag_override or "", reason=act.rag_override_reason, version=str(act.version)
    )
    return render_template(
        "forum/action.html",
        action=act,
        item=act.item,
        form=form,
        rating=rag_for(act, today),
        rating_form=rating,
        progress_form=ProgressForm(),
        check_form=check,
        reviews=monitoring.reviews_for(act),
        statuses=STATUS_LABELS,
        **{"conflict": None, "warning": None, **extra},
    )


@bp.post("/staff/actions/<int:action_id>/status")
@allow(*WORKERS)
def action_status(action_id: int):
    """The tracker's quick status change: htmx swaps the row; without JS, back to the list."""
    act = _or_404(services.get_action(action_id))
    form = StatusForm()
    error, conflict = None, None
    if form.validate_on_submit():
        act, error, conflict = _set_status(act, form)
    else:
        error = first_error(form)
    if not request.headers.get("HX-Request"):
        flash(error or "Status changed")
        back = request.form.get("back") == "action"
        return redirect(
            url_for("forum.action", action_id=act.id) if back else url_for("forum.tracker")
        )
    return render_partial(
        "forum/_partials/tracker_row.html",
        409 if conflict else 400 if error else 200,
        row=services.TrackerRow(act, rag_for(act, clock.today())),
        reviews=monitoring.latest_reviews([act.id]),
        can_edit=True,
        statuses=STATUS_LABELS,
        error=error,
        conflict=conflict,
        saved=error is None,
    )


def _set_status(act: Action, form: StatusForm) -> tuple[Action, str | None, Action | None]:
    """(the action as it now is, the error to show, the action someone else saved meanwhile)."""
    try:
        services.set_status(
            act, form.seen_version(), form.status.data, _actor(), form.reason.data or ""
        )
    except services.ActionConflict as exc:
        return (
            exc.current,
            "Someone else changed this action while you were editing. It now says: "
            + STATUS_LABELS[exc.current.status_enum],
            exc.current,
        )
    except services.ActionInvalid as exc:
        return act, str(exc), None
    return act, None, None


@bp.post("/staff/actions/<int:action_id>/progress")
@allow(*WORKERS)
def action_progress(action_id: int):
    act = _or_404(services.get_action(action_id))
    form = ProgressForm()
    if not form.validate_on_submit():
        flash(first_error(form) or "Try again")
        return redirect(url_for("forum.action", action_id=act.id))
    try:
        services.add_progress(act, form.text.data or "", _actor())
    except services.ActionInvalid as exc:  # only spaces: nothing has been written
        flash(str(exc))
    else:
        flash("Progress update added")
    return redirect(url_for("forum.action", action_id=act.id))


@bp.post("/staff/actions/<int:action_id>/rating")
@allow(*WORKERS)
def action_rating(action_id: int):
    act = _or_404(services.get_action(action_id))
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.override_rating(
                act, form.seen_version(), form.rating.data or None, form.reason.data or "", _actor()
            )
        except services.ActionConflict as exc:
            flash(f"{exc} Check the rating and try again.")
        except (services.ActionInvalid, ValueError) as exc:
            flash(str(exc))
        else:
            flash("Rating saved")
    else:
        flash(first_error(form) or "Try again")
    return redirect(url_for("forum.action", action_id=act.id))


@bp.post("/staff/actions/<int:action_id>/forum-check")
@allow(*WORKERS)
def forum_check(action_id: int):
    act = _or_404(services.get_action(action_id))
    form = ForumCheckForm()
    form.member_ids.choices = [(m.id, m.display_name) for m in services.members(include_left=False)]
    if form.validate_on_submit() and form.member_ids.data:
        try:
            added = services.record_forum_check(act, form.member_ids.data)
        except services.ActionInvalid as exc:
            flash(str(exc))
        else:
            flash(f"Recorded: {added} forum {'member' if added == 1 else 'members'} checked it")
    else:
        flash("Choose the members who checked it")
    return redirect(url_for("forum.action", action_id=act.id))


# --- The tracker, overdue list and "since the last board meeting" --------------------------------


def _tracker_filter() -> services.TrackerFilter:
    status = request.args.get("status", "")
    rating = request.args.get("rating", "")
    return services.TrackerFilter(
        owner_id=int_arg("owner"),
        status=status if status in {s.value for s in ActionStatus} else "",
        rating=rating if rating in ("red", "amber", "green", "none") else "",
        overdue=request.args.get("overdue") == "1",
        theme_id=int_arg("theme"),
        milestone_id=int_arg("milestone"),
        needs_owner=request.args.get("needs_owner") == "1",
    )


@bp.get("/staff/actions")
@allow(*READERS)
def tracker():
    filters = _tracker_filter()
    rows = services.tracker(filters)
    return render_page_or_partial(
        "forum/tracker.html",
        "forum/_partials/tracker_table.html",
        rows=rows,
        reviews=monitoring.latest_reviews([r.action.id for r in rows]),
        filters=filters,
        owners=services.owner_choices(),
        themes=services.theme_choices(),
        milestones=services.milestones(),
        statuses=STATUS_LABELS,
        can_edit=_can_edit(),
        title="Action tracker",
    )


@bp.get("/staff/actions/overdue")
@allow(*READERS)
def overdue():
    rows = services.overdue()
    return render_template(
        "forum/overdue.html",
        rows=rows,
        reviews=monitoring.latest_reviews([r.action.id for r in rows]),
        statuses=STATUS_LABELS,
        can_edit=_can_edit(),
    )


@bp.route("/staff/milestones", methods=["GET", "POST"])
@allow(*WORKERS)
def milestones():
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            services.save_milestone(
                form.title.data, form.due_on.data, form.owner.data or "", _actor()
            )
        except services.ForumError as exc:
            form.title.errors = [*form.title.errors, str(exc)]
        else:
            flash("Milestone added")
            return redirect(url_for("forum.milestones"))
    return render_template(
        "forum/milestones.html", form=form, milestones=services.current_milestones()
    )


# --- The plan ---------------------------------------------------------------------------------


@bp.get("/staff/plan")
@allow(*READERS)
def plan():
    return render_template(
        "forum/plan.html",
        view=services.plan_view(),
        milestone_form=MilestoneForm(),
        objective_form=ObjectiveForm(),
        confirm=ConfirmForm(),
        can_edit=_can_edit(),
    )


@bp.route("/staff/plan/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit_plan():
    form = PlanForm(obj=services.get_plan())
    if form.validate_on_submit():
        services.save_plan(form.data, _actor())
        flash("Plan saved")
        return redirect(url_for("forum.plan"))
    return render_template("forum/plan_form.html", form=form)


@bp.route("/staff/plan/objectives/new", methods=["GET", "POST"])
@bp.route("/staff/plan/objectives/<int:objective_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def objective(objective_id: int | None = None):
    found = _or_404(services.get_objective(objective_id)) if objective_id else None
    form = ObjectiveForm(obj=found)
    if form.validate_on_submit():
        try:
            services.save_objective(found, form.data, _actor())
        except services.ForumError as exc:  # only spaces
            form.text.errors = [*form.text.errors, str(exc)]
        else:
            flash("Objective saved")
            return redirect(url_for("forum.plan"))
    return render_template("forum/objective_form.html", form=form, objective=found)


@bp.post("/staff/plan/objectives/<int:objective_id>/retire")
@allow(*WORKERS)
def retire_objective(objective_id: int):
    found = _or_404(services.get_objective(objective_id))
    if ConfirmForm().validate_on_submit():
        services.retire_objective(found, _actor())
        flash("Objective retired")
    return redirect(url_for("forum.plan"))


@bp.route("/staff/plan/milestones/<int:milestone_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def milestone(milestone_id: int):
    found = _or_404(services.get_milestone(milestone_id))
    form, retire = MilestoneEditForm(obj=found), RetireForm(prefix="retire")
    if form.validate_on_submit():
        try:
            services.update_milestone(found, form.data, _actor())
        except services.ForumError as exc:
            form.title.errors = [*form.title.errors, str(exc)]
        else:
            flash("Milestone saved")
            return redirect(url_for("forum.plan"))
    return render_template("forum/milestone_form.html", form=form, retire=retire, m=found)


@bp.post("/staff/plan/milestones/<int:milestone_id>/retire")
@allow(*WORKERS)
def retire_milestone(milestone_id: int):
    found = _or_404(services.get_milestone(milestone_id))
    form = RetireForm(prefix="retire")
    if form.validate_on_submit():
        services.retire_milestone(found, form.reason.data or "", _actor())
        flash("Milestone retired: its history and linked actions are kept")
        return redirect(url_for("forum.plan"))
    edit = MilestoneEditForm(obj=found)
    return render_template("forum/milestone_form.html", form=edit, retire=form, m=found), 400


@bp.post("/staff/plan/milestones/<int:milestone_id>/<any(up, down):direction>")
@allow(*WORKERS)
def move_milestone(milestone_id: int, direction: str):
    found = _or_404(services.get_milestone(milestone_id))
    if ConfirmForm().validate_on_submit():
        try:
            services.move_milestone(found, direction, _actor())
        except services.ForumError as exc:
            flash(str(exc))
    return redirect(url_for("forum.plan", _anchor=f"milestone-{found.id}"))


@bp.route("/staff/you-said/send-update", methods=["GET", "POST"])
@allow(*WORKERS)
def send_update():
    form = UpdateForm()
    reply_id = int_arg("reply") if request.method == "GET" else None
    reply = _board_reply(reply_id or form.board_reply.data or "")
    if reply is not None and request.method == "GET":
        form.board_reply.data = str(reply.id)
        form.body.data = services.board_reply_update_draft(reply)
    if form.validate_on_submit():
        return _confirm_or_send(form, reply)
    return render_template(
        "forum/send_update.html",
        form=form,
        recipients=services.recipients(),
        notices=services.notices(),
        reply=reply,
    )


def _confirm_or_send(form: UpdateForm, reply):
    """The update's check page on the first post; sent, once, on the post that confirms it."""
    token, body = confirm.token_from(request.form), form.body.data or ""  # InputRequired
    if not token:
        return confirm.render_confirm(
            services.preview_update(body),
            title="Check the update",
            back_url=url_for("forum.send_update"),
            form=request.form,
        )
    if not confirm.claim(token, "update"):
        flash("This update was sent already")
        return redirect(url_for("forum.send_update"))
    notice = services.send_update(body, _actor(), reply)
    flash(
        f"Update sent: {notice.texts_queued} texts queued (sent outside quiet hours), "
        f"{notice.emails_sent} emails sent, {notice.skipped} skipped (opted out)"
    )
    return redirect(url_for("forum.send_update"))


def _board_reply(raw: int | str):
    """The board reply an update passes on (?reply=ID from the board meeting page), if any."""
    text = str(raw)
    return services.get_board_reply(int(text)) if text.isdigit() and len(text) < 10 else None


# --- The public page --------------------------------------------------------------------------


@public_bp.get("/you-said-we-did")
@public
def page():
    return render_template(
        "forum/public.html", topics=services.public_page(), plan=services.public_plan()
    )


@public_bp.get("/you-said-we-did/poster.pdf")
@public
def poster():
    response = make_response(pdf.poster_pdf(services.public_page()))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="you-said-we-did.pdf"'
    return response
