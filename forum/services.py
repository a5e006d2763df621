"""Rules for the forum and "you said, we did". Routes call these; tests call them directly.

- Members: personal data, staff-only; every view and change is audited. ``erase_member`` blanks
  the personal fields (as contacts are erased) and keeps the row, so registers and payment totals
  still add up.
- Items and actions: publishing an item with a quote that is not approved for public use is
  refused (``PublishRefused``). Action edits carry the version the editor saw; a stale one raises
  ``ActionConflict`` with the current values, so a second writer never overwrites the first.
- Updates to young people ("here is what changed") go to ContactRequest(kind "updates", consent)
  and to current forum members who consented to contact, by text through the SMS queue
  (app.messaging.services.queue_text: it refuses opted-out numbers and the worker applies quiet
  hours and opt-outs again at send time) or by email (app.messaging.mail.send_email).
- The plan: one Plan row, objectives and milestones. Milestones and objectives are retired,
  never deleted; every change is audited and written as a dated PlanChange line the plan page
  shows. A milestone's RAG comes from forum.rag.milestone_rag (the one rule).
- The board's replies to the forum (BoardReply) are recorded from the board's meeting pages
  and shown under their item on the public page ("The board said...").
- "Since the last board meeting": ``last_board_meeting_on`` is the one place that decides the
  default date; the board's meetings (a later issue) should answer there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from app.core.clock import today
from app.core.extensions import db
from app.core.phones import NumberInvalid, normalise_number
from app.messaging.confirm import ChannelPreview, SendPreview
from app.messaging.mail import send_email
from app.messaging.services import phone_hash, queue_text
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from forum.models import (
    MILESTONE_STATUS_LABELS,
    STATUS_LABELS,
    Action,
    ActionStatus,
    ActionUpdate,
    Attendance,
    BoardReply,
    ForumCheck,
    ForumMeeting,
    ForumMember,
    ItemSource,
    Milestone,
    MilestoneStatus,
    Plan,
    PlanChange,
    PlanObjective,
    UpdateNotice,
    YouSaid,
)
from forum.rag import Rating, check_override, derived_rag, milestone_rag, rag_for
from surveys.models import ContactRequest
from surveys.themes.models import Codebook, Quote, QuoteAudience, Theme
from surveys.themes.results import theme_results


class ForumError(Exception):
    """A rule was broken; the message says how to fix it, in plain English."""


class PublishRefused(ForumError):
    pass


class ActionInvalid(ForumError):
    pass


class ActionConflict(ForumError):
    """Someone else saved the action since the editor loaded it."""

    def __init__(self, current: Action):
        super().__init__("Someone else changed this action while you were editing")
        self.current = current


# --- Members ----------------------------------------------------------------------------------

MEMBER_FIELDS = (
    "name",
    "preferred_name",
    "phone",
    "email",
    "contact_preference",
    "date_of_birth",
    "roles",
    "joined_on",
    "left_on",
    "consent_contact",
    "consent_photos",
    "consent_quotes",
)


def members(*, include_left: bool = True) -> list[ForumMember]:
    query = sa.select(ForumMember).where(ForumMember.erased_on.is_(None))
    if not include_left:
        query = query.where(ForumMember.left_on.is_(None))
    return list(db.session.scalars(query.order_by(ForumMember.name, ForumMember.id)))


def get_member(member_id: int) -> ForumMember | None:
    member = db.session.get(ForumMember, member_id)
    return None if member is None or member.erased_on else member


def view_member(member: ForumMember) -> ForumMember:
    """Record that staff looked at a member's personal data."""
    record("forum.member.view", member)
    db.session.commit()
    return member


def save_member(member: ForumMember | None, values: dict, *, on: date | None = None):
    """Create or change a member. Consent dates are set when consent is given, cleared when
    withdrawn."""
    on = on or today()
    created = member is None
    if member is None:
        member = ForumMember()
        db.session.add(member)
    for name in MEMBER_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name.startswith("consent_"):
            if value and not getattr(member, name):
                setattr(member, f"{name}_on", on)
            if not value:
                setattr(member, f"{name}_on", None)
        setattr(member, name, value)
    member.roles = list(member.roles or ["member"])
    db.session.flush()
    record("forum.member.create" if created else "forum.member.update", member)
    db.session.commit()
    return member


def erase_member(member: ForumMember) -> None:
    """Blank the personal data; keep attendance and payments (anonymous) for the totals."""
    member.name = f"Erased member {member.id}"
    member.preferred_name = member.phone = member.email = ""
    member.date_of_birth = None
    member.contact_preference = "none"
    member.consent_contact = member.consent_photos = member.consent_quotes = False
    member.consent_contact_on = member.consent_photos_on = member.consent_quotes_on = None
    member.left_on = member.left_on or today()
    member.erased_on = today()
    record("forum.member.erase", member)
    db.session.commit()


def age_on(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def moving_on(within_days: int = 180, on: date | None = None) -> list[tuple[ForumMember, date]]:
    """Current members who turn 25 within ``within_days``, with the date they do."""
    on = on or today()
    soon = []
    for member in members(include_left=False):
        if member.date_of_birth is None:
            continue
        born = member.date_of_birth
        try:
            birthday = born.replace(year=born.year + 25)
        except ValueError:  # 29 February
            birthday = date(born.year + 25, 3, 1)
        if birthday <= on + timedelta(days=within_days):
            soon.append((member, birthday))
    return sorted(soon, key=lambda pair: pair[1])


def forum_interest() -> list[ContactRequest]:
    """People who asked to join the forum from a survey, not yet added or dismissed."""
    return list(
        db.session.scalars(
            sa.select(ContactRequest)
            .where(ContactRequest.kind == "forum", ContactRequest.handled.is_(False))
            .order_by(ContactRequest.name)
        )
    )


def add_member_from_interest(request: ContactRequest) -> ForumMember:
    """Copy the details into a new member; the request is marked handled, never linked."""
    member = ForumMember(
        name=request.name[:120],
        phone=request.phone,
        email=request.email,
        contact_preference="sms" if request.phone else "email" if request.email else "none",
        consent_contact=request.consent,
        consent_contact_on=today() if request.consent else None,
        roles=["member"],
        from_survey=True,
    )
    db.session.add(member)
    request.handled = True
    db.session.flush()
    record("forum.member.create", member, detail="from a survey's forum-interest record")
    db.session.commit()
    return member


# --- Meetings, the register and payments --------------------------------------------------------


def meetings() -> list[ForumMeeting]:
    return list(
        db.session.scalars(
            sa.select(ForumMeeting).order_by(ForumMeeting.held_on.desc(), ForumMeeting.id.desc())
        )
    )


def get_meeting(meeting_id: int) -> ForumMeeting | None:
    return db.session.get(ForumMeeting, meeting_id)


def save_meeting(meeting: ForumMeeting | None, values: dict) -> ForumMeeting:
    created = meeting is None
    if meeting is None:
        meeting = ForumMeeting()
        db.session.add(meeting)
    for name in ("held_on", "place", "online", "agenda", "notes"):
        if name in values:
            setattr(meeting, name, values[name])
    db.session.flush()
    record("forum.meeting.create" if created else "forum.meeting.update", meeting)
    db.session.commit()
    return meeting


def register(meeting: ForumMeeting) -> list[tuple[ForumMember, Attendance | None]]:
    """Everyone who was a member on the day (and anyone ticked in), with their attendance."""
    ticked = {a.member_id: a for a in meeting.attendance}
    rows = []
    for member in members():
        was_member = member.joined_on <= meeting.held_on and (
            member.left_on is None or member.left_on >= meeting.held_on
        )
        if was_member or member.id in ticked:
            rows.append((member, ticked.get(member.id)))
    return rows


def set_attendance(
    meeting: ForumMeeting,
    member: ForumMember,
    *,
    present: bool,
    payment_pence: int = 0,
    payment_type: str | None = None,
) -> Attendance | None:
    attendance = db.session.get(Attendance, (meeting.id, member.id))
    if not present:
        if attendance is not None:
            db.session.delete(attendance)
        record("forum.attendance.remove", meeting, detail=f"member {member.id}")
        db.session.commit()
        return None
    if payment_pence < 0:
        raise ForumError("Enter an amount of £0 or more")
    if attendance is None:
        attendance = Attendance(meeting_id=meeting.id, member_id=member.id)
        db.session.add(attendance)
    attendance.payment_pence = payment_pence
    attendance.payment_type = payment_type if payment_pence else None
    record("forum.attendance.set", meeting, detail=f"member {member.id}, {payment_pence}p")
    db.session.commit()
    db.session.refresh(meeting)
    return attendance


@dataclass
class PaymentTotal:
    member: ForumMember
    meetings: int
    pence: int


def payment_totals(year: int) -> list[PaymentTotal]:
    """Per member, for meetings held in ``year``: meetings attended and money given."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = db.session.execute(
        sa.select(
            Attendance.member_id,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Attendance.payment_pence), 0),
        )
        .join(ForumMeeting)
        .where(ForumMeeting.held_on.between(start, end))
        .group_by(Attendance.member_id)
    ).all()
    # Every member in the year at once (one statement, not one per member).
    found = db.session.scalars(
        sa.select(ForumMember).where(ForumMember.id.in_([member_id for member_id, _, _ in rows]))
    )
    by_id = {member.id: member for member in found}
    totals = [PaymentTotal(by_id[member_id], int(n), int(pence)) for member_id, n, pence in rows]
    return sorted(totals, key=lambda t: t.member.name)


def payment_years() -> list[int]:
    held = db.session.scalars(sa.select(ForumMeeting.held_on).distinct())
    years = sorted({d.year for d in held}, reverse=True)
    return years or [today().year]


# --- Themes (from surveys.themes), for items that come from the survey --------------------------


def theme_choices() -> list[Theme]:
    """Top-level themes of every round's codebook, newest round first."""
    query = (
        sa.select(Theme)
        .join(Codebook, Codebook.id == Theme.codebook_id)
        .where(Theme.parent_id.is_(None))
        .order_by(Codebook.round_id.desc(), Theme.position, Theme.id)
    )
    return list(db.session.scalars(query))


@dataclass
class ThemeSummary:
    theme: Theme
    people: int | str  # suppressed: "fewer than 5"
    share: str
    base: int | str  # as published: may be "fewer than 5"
    quotes: list[Quote] = field(default_factory=list)


def theme_summary(theme: Theme) -> ThemeSummary:
    """The theme's count of people (suppressed) and its approved quotes, from the themes area."""
    codebook = theme.codebook
    results = theme_results(codebook.round, codebook)
    row = next((r for r in results.rows if r.key == theme.key), None)
    return ThemeSummary(
        theme,
        row.shown if row else 0,
        row.share_text if row else "",
        results.base,
        quotes_for_theme(theme),
    )


def quotes_for_theme(theme: Theme) -> list[Quote]:
    """Approved quotes (any audience) coded to this theme or one of its sub-themes."""
    ids = [theme.id] + [t.id for t in theme.codebook.themes if t.parent_id == theme.id]
    return list(
        db.session.scalars(sa.select(Quote).where(Quote.theme_id.in_(ids)).order_by(Quote.id))
    )


def quote_is_public(quote: Quote | None) -> bool:
    return quote is not None and quote.audience == QuoteAudience.PUBLIC.value


# --- You said ---------------------------------------------------------------------------------


def items() -> list[YouSaid]:
    return list(
        db.session.scalars(sa.select(YouSaid).order_by(YouSaid.topic, YouSaid.raised_on.desc()))
    )


def get_item(item_id: int) -> YouSaid | None:
    return db.session.get(YouSaid, item_id)


def save_item(item: YouSaid | None, values: dict) -> YouSaid:
    """Create or change an item. A theme item's topic defaults to the theme's name."""
    created = item is None
    if item is None:
        item = YouSaid(raised_on=values.get("raised_on") or today())
    try:
        with db.session.no_autoflush:
            _set_item_fields(item, values)
    except ForumError:
        db.session.rollback()
        raise
    if created:
        db.session.add(item)
    if item.published and item.quote is not None and not quote_is_public(item.quote):
        db.session.rollback()
        raise PublishRefused(
            "This item is public, so its quote must be approved for public use. "
            "Choose another quote or take the item off the public page first"
        )
    db.session.flush()
    record("ysyd.item.create" if created else "ysyd.item.update", item, detail=item.text[:200])
    db.session.commit()
    return item


def _set_item_fields(item: YouSaid, values: dict) -> None:
    source = values.get("source", item.source)
    if source not in {s.value for s in ItemSource}:
        raise ForumError("Choose where this came from")
    theme = db.session.get(Theme, values["theme_id"]) if values.get("theme_id") else None
    if source == ItemSource.THEME and theme is None:
        raise ForumError("Choose the survey theme this came from")
    meeting = (
        db.session.get(ForumMeeting, values["meeting_id"]) if values.get("meeting_id") else None
    )
    if source == ItemSource.FORUM and meeting is None:
        raise ForumError("Choose the forum meeting this was raised at")
    item.source, item.theme, item.meeting = source, theme, meeting
    item.text = values["text"].strip()
    item.topic = (values.get("topic") or "").strip() or (theme.name if theme else "Other things")
    quote_id = values.get("quote_id")
    item.quote = db.session.get(Quote, quote_id) if quote_id else None


def publish_item(item: YouSaid, actor: StaffUser) -> None:
    """Put an item on the public page. Refused with a quote not approved for public use."""
    if item.quote is not None and not quote_is_public(item.quote):
        raise PublishRefused(
            "This quote is not approved for public use, so the item cannot be published. "
            "Ask a participation worker to approve it for public use, or remove the quote"
        )
    if not item.text.strip():
        raise PublishRefused("Write what young people said before publishing")
    item.published_on = today()
    item.published_by_id = actor.id
    record("ysyd.item.publish", item, actor=actor)
    db.session.commit()


def unpublish_item(item: YouSaid, actor: StaffUser) -> None:
    item.published_on = None
    item.published_by_id = None
    record("ysyd.item.unpublish", item, actor=actor)
    db.session.commit()


# --- We did: actions --------------------------------------------------------------------------


def milestones() -> list[Milestone]:
    return list(db.session.scalars(sa.select(Milestone).order_by(Milestone.position, Milestone.id)))


def save_milestone(
    title: str, due_on: date | None, owner: str = "", actor: StaffUser | None = None
) -> Milestone:
    title = title.strip()
    if db.session.scalar(sa.select(Milestone.id).where(Milestone.title == title)):
        raise ForumError("There is already a milestone with that name")
    position = (db.session.scalar(sa.select(sa.func.max(Milestone.position))) or 0) + 1
    milestone = Milestone(title=title, due_on=due_on, position=position, owner=owner.strip())
    db.session.add(milestone)
    db.session.flush()
    _plan_change(milestone, f"Milestone added: {title}", actor)
    record("ysyd.milestone.create", milestone, detail=title, actor=actor)
    db.session.commit()
    return milestone


# --- The plan ---------------------------------------------------------------------------------

PLAN_FIELDS = {
    "aims": "aims",
    "lead": "plan lead",
    "resources": "resources",
    "timeline": "timeline",
    "public_summary": "summary for young people",
}


def get_plan() -> Plan:
    """The plan, or an empty unsaved one (a GET never writes)."""
    return db.session.scalar(sa.select(Plan).order_by(Plan.id).limit(1)) or Plan(
        aims="", lead="", resources="", timeline="", public_summary=""
    )


def _plan_change(milestone: Milestone | None, text: str, actor: StaffUser | None) -> None:
    db.session.add(
        PlanChange(
            milestone=milestone, text=text, by_id=actor.id if actor else None, noted_on=today()
        )
    )


def save_plan(values: dict, actor: StaffUser) -> Plan:
    plan = get_plan()
    db.session.add(plan)
    changed = []
    for name, label in PLAN_FIELDS.items():
        value = (values.get(name) or "").strip()
        if value != (getattr(plan, name) or ""):
            setattr(plan, name, value)
            changed.append(label)
    if changed:
        _plan_change(None, "Plan changed: " + ", ".join(changed), actor)
    db.session.flush()
    record("plan.update", plan, detail=", ".join(changed) or "no change", actor=actor)
    db.session.commit()
    return plan


def objectives(*, include_retired: bool = False) -> list[PlanObjective]:
    query = sa.select(PlanObjective).order_by(PlanObjective.position, PlanObjective.id)
    if not include_retired:
        query = query.where(PlanObjective.retired_on.is_(None))
    return list(db.session.scalars(query))


def get_objective(objective_id: int) -> PlanObjective | None:
    return db.session.get(PlanObjective, objective_id)


def save_objective(objective: PlanObjective | None, values: dict, actor: StaffUser):
    text = (values.get("text") or "").strip()
    if not text:
        raise ForumError("Enter the objective")
    created = objective is None
    if objective is None:
        position = (db.session.scalar(sa.select(sa.func.max(PlanObjective.position))) or 0) + 1
        objective = PlanObjective(text=text, position=position)
        db.session.add(objective)
    objective.text = text
    objective.success_measure = (values.get("success_measure") or "").strip()
    objective.target = (values.get("target") or "").strip()
    db.session.flush()
    _plan_change(None, f"Objective {'added' if created else 'changed'}: {text[:150]}", actor)
    record("plan.objective.create" if created else "plan.objective.update", objective, actor=actor)
    db.session.commit()
    return objective


def retire_objective(objective: PlanObjective, actor: StaffUser) -> None:
    objective.retired_on = today()
    _plan_change(None, f"Objective retired: {objective.text[:150]}", actor)
    record("plan.objective.retire", objective, actor=actor)
    db.session.commit()


def current_milestones() -> list[Milestone]:
    return [m for m in milestones() if m.retired_on is None]


def get_milestone(milestone_id: int) -> Milestone | None:
    return db.session.get(Milestone, milestone_id)


def _when(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "no date"


def update_milestone(milestone: Milestone, values: dict, actor: StaffUser) -> Milestone:
    """Change a milestone; each change is a line in its history. Achieved sets the date."""
    title = (values.get("title") or "").strip()
    if not title:
        raise ForumError("Enter the milestone")
    clash = db.session.scalar(
        sa.select(Milestone.id).where(Milestone.title == title, Milestone.id != milestone.id)
    )
    if clash:
        raise ForumError("There is already a milestone with that name")
    status = values.get("status") or milestone.status
    if status not in {s.value for s in MilestoneStatus}:
        raise ForumError("Choose a status")
    notes = []
    if title != milestone.title:
        notes.append(f"Renamed from \u201c{milestone.title}\u201d")
    owner = (values.get("owner") or "").strip()
    if owner != milestone.owner:
        notes.append(f"Owner changed from {milestone.owner or 'nobody'} to {owner or 'nobody'}")
    due_on = values.get("due_on")
    if due_on != milestone.due_on:
        notes.append(f"Due date changed from {_when(milestone.due_on)} to {_when(due_on)}")
    if status != milestone.status:
        notes.append(
            f"Status changed to {MILESTONE_STATUS_LABELS[MilestoneStatus(status)].lower()}"
        )
        milestone.achieved_on = today() if status == MilestoneStatus.ACHIEVED else None
    milestone.title, milestone.owner, milestone.due_on, milestone.status = (
        title,
        owner,
        due_on,
        status,
    )
    for note in notes:
        _plan_change(milestone, note, actor)
    db.session.flush()
    record("ysyd.milestone.update", milestone, detail="; ".join(notes)[:300], actor=actor)
    db.session.commit()
    return milestone


def move_milestone(milestone: Milestone, direction: str, actor: StaffUser) -> None:
    """Swap the milestone with the one above ("up") or below ("down") it in the plan."""
    order = current_milestones()
    if milestone not in order:
        raise ForumError("A retired milestone has no place in the plan")
    at = order.index(milestone)
    other_at = at - 1 if direction == "up" else at + 1
    if not 0 <= other_at < len(order):
        return
    # Renumber all, so equal positions from older data cannot make the swap a no-op.
    order[at], order[other_at] = order[other_at], order[at]
    for position, each in enumerate(order, start=1):
        each.position = position
    _plan_change(milestone, f"Moved {direction} the plan", actor)
    record("ysyd.milestone.move", milestone, detail=direction, actor=actor)
    db.session.commit()


def retire_milestone(milestone: Milestone, reason: str, actor: StaffUser) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Say why this milestone is being retired")
    milestone.retired_on, milestone.retired_reason = today(), reason
    _plan_change(milestone, f"Retired: {reason}", actor)
    record("ysyd.milestone.retire", milestone, detail=reason[:300], actor=actor)
    db.session.commit()


@dataclass
class MilestoneRow:
    milestone: Milestone
    rating: Rating
    actions: list[TrackerRow]


@dataclass
class PlanView:
    plan: Plan
    objectives: list[PlanObjective]
    rows: list[MilestoneRow]
    retired: list[Milestone]
    history: list[PlanChange]
    counts: dict[str, int]


def plan_view(on: date | None = None) -> PlanView:
    """The plan with each current milestone's rolled-up rating: the plan page and pack read it."""
    on = on or today()
    every = milestones()
    linked: dict[int, list[TrackerRow]] = defaultdict(list)
    for action in db.session.scalars(
        sa.select(Action).where(Action.milestone_id.is_not(None)).order_by(Action.id)
    ):
        linked[action.milestone_id or 0].append(TrackerRow(action, rag_for(action, on)))
    rows = []
    for milestone in every:
        if milestone.retired_on is not None:
            continue
        actions = linked.get(milestone.id, [])
        rating = milestone_rag(milestone.status, milestone.due_on, [r.rating for r in actions], on)
        rows.append(MilestoneRow(milestone, rating, actions))
    counts = {
        c: sum(1 for r in rows if r.rating.colour == c) for c in ("red", "amber", "green", "blue")
    }
    history = list(
        db.session.scalars(
            sa.select(PlanChange)
            .order_by(PlanChange.noted_on.desc(), PlanChange.id.desc())
            .limit(50)
        )
    )
    return PlanView(
        plan=get_plan(),
        objectives=objectives(),
        rows=rows,
        retired=[m for m in every if m.retired_on is not None],
        history=history,
        counts=counts,
    )


# Plain words for young people: no "RAG" on the public page.
PUBLIC_MILESTONE_WORDS = {
    "blue": "Done",
    "red": "This is late",
    "amber": "We are working on it",
    "green": "On track",
}


@dataclass(frozen=True)
class PublicMilestone:
    title: str
    due: str
    progress: str


@dataclass(frozen=True)
class PublicPlan:
    summary: str
    aims: str
    milestones: list[PublicMilestone]
    done: int
    late: int


def public_plan(on: date | None = None) -> PublicPlan:
    view = plan_view(on)
    return PublicPlan(
        summary=view.plan.public_summary,
        aims=view.plan.aims,
        milestones=[
            PublicMilestone(
                r.milestone.title,
                _month(r.milestone.due_on),
                PUBLIC_MILESTONE_WORDS[r.rating.colour],
            )
            for r in view.rows
        ],
        done=view.counts["blue"],
        late=view.counts["red"],
    )


# --- The board's replies to the forum ------------------------------------------------------------


def record_board_reply(
    item: YouSaid,
    values: dict,
    heard_on: date,
    actor: StaffUser,
    board_meeting_id: int | None = None,
) -> BoardReply:
    """The board answered something the forum asked. Shown under the item on the public page."""
    reply_text = (values.get("reply") or "").strip()
    if not reply_text:
        raise ForumError("Enter what the board said")
    reply = BoardReply(
        item=item,
        board_meeting_id=board_meeting_id,
        heard_on=heard_on,
        ask=(values.get("ask") or "").strip() or item.text,
        reply=reply_text,
        decision=(values.get("decision") or "").strip(),
        by_id=actor.id,
    )
    db.session.add(reply)
    db.session.flush()
    record("board.reply", reply, detail=reply_text[:200], actor=actor)
    db.session.commit()
    return reply


def board_replies(board_meeting_id: int | None = None, since: date | None = None):
    query = sa.select(BoardReply).order_by(BoardReply.heard_on.desc(), BoardReply.id.desc())
    if board_meeting_id is not None:
        query = query.where(BoardReply.board_meeting_id == board_meeting_id)
    if since is not None:
        query = query.where(BoardReply.heard_on >= since)
    return list(db.session.scalars(query))


def ask_choices() -> list[YouSaid]:
    """Items the board can answer: forum items first, then the rest."""
    return sorted(items(), key=lambda i: (i.source != ItemSource.FORUM, i.topic, i.id))


def owner_choices(current: StaffUser | None = None) -> list[StaffUser]:
    """Staff who can own an action: enabled accounts, plus the current owner if they left."""
    people = list(
        db.session.scalars(
            sa.select(StaffUser).where(StaffUser.is_enabled.is_(True)).order_by(StaffUser.name)
        )
    )
    if current is not None and current not in people:
        people.append(current)
    return people


def due_date_warning(due_on: date | None, on: date | None = None) -> str | None:
    """A warning (not an error) for a due date already past when it is set."""
    on = on or today()
    if due_on is not None and due_on < on:
        return f"The due date {due_on:%-d %B %Y} is in the past. Check it is right"
    return None


def get_action(action_id: int) -> Action | None:
    return db.session.get(Action, action_id)


def _check_action_values(values: dict) -> None:
    if not (values.get("what") or "").strip():
        raise ActionInvalid("Say what will be done")
    status = values.get("status", ActionStatus.NOT_STARTED.value)
    if status not in {s.value for s in ActionStatus}:
        raise ActionInvalid("Choose a status")
    if status == ActionStatus.WONT_DO and not (values.get("wont_do_reason") or "").strip():
        raise ActionInvalid("Say why this will not be done: young people will see the reason")
    owner_id = values.get("owner_id")
    if owner_id and db.session.get(StaffUser, owner_id) is None:
        raise ActionInvalid("Choose the owner from the list")


def create_action(item: YouSaid, values: dict, actor: StaffUser) -> Action:
    _check_action_values(values)
    action = Action(item=item, what=values["what"].strip())
    db.session.add(action)
    _apply(action, values, actor)
    db.session.flush()
    record("ysyd.action.create", action, detail=action.what[:200], actor=actor)
    db.session.commit()
    return action


def _apply(action: Action, values: dict, actor: StaffUser) -> None:
    old_status = action.status
    for name in ("what", "owner_id", "owner_team", "due_on", "milestone_id"):
        if name in values:
            value = values[name]
            setattr(action, name, value.strip() if isinstance(value, str) else value)
    if "evidence_links" in values:
        action.evidence_links = [link for link in values["evidence_links"] if link]
    status = values.get("status", old_status or ActionStatus.NOT_STARTED.value)
    action.status = status
    action.wont_do_reason = (
        (values.get("wont_do_reason") or action.wont_do_reason or "").strip()
        if status == ActionStatus.WONT_DO
        else ""
    )
    if status == ActionStatus.DONE:
        action.completed_on = values.get("completed_on") or action.completed_on or today()
    else:
        action.completed_on = None
    if status not in ("not_started", "in_progress"):
        action.rag_override, action.rag_override_reason = None, ""
    if old_status and status != old_status:
        label = STATUS_LABELS[ActionStatus(status)]
        note = f"Status changed to {label.lower()}"
        if status == ActionStatus.WONT_DO:
            note += f": {action.wont_do_reason}"
        action.updates.append(
            ActionUpdate(text=note, status=status, by_id=actor.id, noted_on=today())
        )


def _save_versioned(action: Action, seen_version: int, change) -> Action:
    """Apply ``change`` only if nobody saved the action since version ``seen_version``."""
    if action.version != seen_version:
        raise ActionConflict(action)
    change()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get_one(Action, action.id)  # actions are never deleted
        raise ActionConflict(current) from None
    db.session.commit()
    return action


def update_action(action: Action, seen_version: int, values: dict, actor: StaffUser) -> Action:
    _check_action_values({"what": action.what, "status": action.status, **values})

    def change():
        _apply(action, values, actor)
        record("ysyd.action.update", action, detail=action.what[:200], actor=actor)

    return _save_versioned(action, seen_version, change)


def set_status(
    action: Action, seen_version: int, status: str, actor: StaffUser, reason: str = ""
) -> Action:
    return update_action(action, seen_version, {"status": status, "wont_do_reason": reason}, actor)


def override_rating(
    action: Action, seen_version: int, colour: str | None, reason: str, actor: StaffUser
) -> Action:
    """Set (or, with colour None, clear) a hand rating. Refused without a reason."""
    if colour and action.status not in ("not_started", "in_progress"):
        raise ActionInvalid("Only an open action's rating can be changed by hand")
    check_override(colour, reason)

    def change():
        action.rag_override = colour or None
        action.rag_override_reason = reason.strip() if colour else ""
        record("ysyd.action.rating", action, detail=f"{colour or 'cleared'}: {reason}"[:300])

    return _save_versioned(action, seen_version, change)


def add_progress(action: Action, text: str, actor: StaffUser, on: date | None = None):
    """Add a dated progress note. Notes only add to the history, so they never conflict."""
    text = text.strip()
    if not text:
        raise ActionInvalid("Write what has happened")
    update = ActionUpdate(
        action_id=action.id, text=text, status=action.status, by_id=actor.id, noted_on=on or today()
    )
    db.session.add(update)
    record("ysyd.action.progress", action, detail=text[:200], actor=actor)
    db.session.commit()
    return update


def record_forum_check(action: Action, member_ids: list[int], on: date | None = None) -> int:
    """Record that these members checked the action and agree it is done."""
    if action.status != ActionStatus.DONE:
        raise ActionInvalid("The forum can check an action once it is marked done")
    known = {c.member_id for c in action.checks}
    added = 0
    for member_id in member_ids:
        if member_id in known or get_member(member_id) is None:
            continue
        db.session.add(
            ForumCheck(action_id=action.id, member_id=member_id, checked_on=on or today())
        )
        added += 1
    record("ysyd.action.forum_check", action, detail=f"{added} members")
    db.session.commit()
    return added


# --- The tracker and the board's views ----------------------------------------------------------


@dataclass(frozen=True)
class TrackerFilter:
    owner_id: int | None = None
    status: str = ""
    rating: str = ""
    overdue: bool = False
    theme_id: int | None = None
    milestone_id: int | None = None
    needs_owner: bool = False


@dataclass
class TrackerRow:
    action: Action
    rating: Rating

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.action.status_enum]


def tracker(filters: TrackerFilter = TrackerFilter(), on: date | None = None) -> list[TrackerRow]:
    on = on or today()
    query = sa.select(Action).join(YouSaid)
    if filters.owner_id:
        query = query.where(Action.owner_id == filters.owner_id)
    if filters.status:
        query = query.where(Action.status == filters.status)
    if filters.theme_id:
        query = query.where(YouSaid.theme_id == filters.theme_id)
    if filters.milestone_id:
        query = query.where(Action.milestone_id == filters.milestone_id)
    if filters.overdue:
        query = query.where(Action.due_on < on, Action.status.in_(("not_started", "in_progress")))
    query = query.order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    rows = [TrackerRow(a, rag_for(a, on)) for a in db.session.scalars(query)]
    if filters.rating:
        rows = [r for r in rows if r.rating.colour == filters.rating]
    if filters.needs_owner:
        rows = [r for r in rows if r.action.owner_has_left or r.action.owner is None]
    return rows


def overdue(on: date | None = None) -> list[TrackerRow]:
    return tracker(TrackerFilter(overdue=True), on)


def last_board_meeting_on(on: date | None = None) -> date:
    """The date "since the last board meeting" starts from.

    Three months ago: the fallback when no board meeting is recorded. The board's own
    ``app.board.services.last_meeting_on`` answers with its latest BoardMeeting first and falls
    back to this; the forum's "since" page asks the board.
    """
    on = on or today()
    month = on.month - 3
    year = on.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(on.day, 28)
    return date(year, month, day)


@dataclass
class SinceReport:
    since: date
    until: date
    new_items: list[YouSaid]
    published: list[YouSaid]
    new_actions: list[TrackerRow]
    completed: list[TrackerRow]
    wont_do: list[TrackerRow]
    overdue: list[TrackerRow]
    progress: list[ActionUpdate]
    counts_by_rating: dict[str, int]


def since_report(since: date, on: date | None = None) -> SinceReport:
    """What changed since ``since``: the board pack reads this."""
    on = on or today()
    rows = tracker(TrackerFilter(), on)
    new_items = [i for i in items() if i.raised_on >= since]
    published = [i for i in items() if i.published_on and i.published_on >= since]
    progress = list(
        db.session.scalars(
            sa.select(ActionUpdate)
            .where(ActionUpdate.noted_on >= since)
            .order_by(ActionUpdate.noted_on.desc(), ActionUpdate.id.desc())
        )
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.rating.colour] += 1
    return SinceReport(
        since=since,
        until=on,
        new_items=new_items,
        published=published,
        new_actions=[r for r in rows if r.action.created_on >= since],
        completed=[
            r
            for r in rows
            if r.action.status == ActionStatus.DONE
            and r.action.completed_on
            and r.action.completed_on >= since
        ],
        wont_do=[
            r
            for r in rows
            if r.action.status == ActionStatus.WONT_DO
            and any(u.noted_on >= since and u.status == "wont_do" for u in r.action.updates)
        ],
        overdue=[r for r in rows if r.rating.colour == "red"],
        progress=progress,
        counts_by_rating={k: counts.get(k, 0) for k in ("red", "amber", "green", "none")},
    )


# --- The public page --------------------------------------------------------------------------

PUBLIC_STATUS = {
    ActionStatus.NOT_STARTED: "We have not started yet",
    ActionStatus.IN_PROGRESS: "We are working on it",
    ActionStatus.DONE: "Done",
    ActionStatus.WONT_DO: "We cannot do this",
}


@dataclass(frozen=True)
class PublicPromise:
    what: str
    team: str
    due: str  # "March 2027"
    status: str
    done_on: str
    reason: str
    forum_checked: bool
    late: str = ""  # "This is late..." or "This was done late": said honestly


@dataclass(frozen=True)
class PublicBoardReply:
    when: str
    reply: str
    decision: str


@dataclass(frozen=True)
class PublicItem:
    said: str
    quote: str
    since: str
    promises: list[PublicPromise]
    board_said: list[PublicBoardReply] = field(default_factory=list)


def public_lateness(action: Action, on: date) -> str:
    """What the public page says about a late promise (the action's own rules, rag.py)."""
    rating = derived_rag(action.status, action.due_on, action.completed_on, on)
    if rating.label == "overdue":
        return f"This is late. It should have been done by {_month(action.due_on)}."
    if rating.note == "done late":
        return "This was done late."
    return ""


def _month(value: date | None) -> str:
    return f"{value:%B %Y}" if value else ""


def public_page() -> list[tuple[str, list[PublicItem]]]:
    """Published items by topic, as plain values: no model objects, so no personal data can
    reach the template. Quotes only when approved for public use (checked again here)."""
    on = today()
    published = list(
        db.session.scalars(
            sa.select(YouSaid)
            .where(YouSaid.published_on.is_not(None))
            .order_by(YouSaid.topic, YouSaid.raised_on.desc(), YouSaid.id)
        )
    )
    replies: dict[int, list[PublicBoardReply]] = defaultdict(list)
    for reply in db.session.scalars(
        sa.select(BoardReply)
        .where(BoardReply.item_id.in_([i.id for i in published]))
        .order_by(BoardReply.heard_on, BoardReply.id)
    ):
        replies[reply.item_id].append(
            PublicBoardReply(_month(reply.heard_on), reply.reply, reply.decision)
        )
    topics: dict[str, list[PublicItem]] = {}
    for item in published:
        promises = [
            PublicPromise(
                what=a.what,
                team=a.owner_team,
                due=_month(a.due_on),
                status=PUBLIC_STATUS[a.status_enum],
                done_on=f"{a.completed_on:%-d %B %Y}" if a.completed_on else "",
                reason=a.wont_do_reason,
                forum_checked=bool(a.checks),
                late=public_lateness(a, on),
            )
            for a in item.actions
        ]
        quote = item.quote.text if quote_is_public(item.quote) else ""
        topics.setdefault(item.topic, []).append(
            PublicItem(item.text, quote, _month(item.raised_on), promises, replies[item.id])
        )
    return list(topics.items())


# --- Telling young people what changed ----------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    channel: str  # "sms" or "email"
    address: str


def recipients() -> list[Recipient]:
    """Who asked to hear what changes: survey "updates" requests with consent, and current
    forum members who consented to contact. One message per address."""
    found: dict[tuple[str, str], Recipient] = {}

    def add(channel: str, address: str) -> None:
        address = (address or "").strip()
        if not address:
            return
        if channel == "sms":
            try:
                address = normalise_number(address)
            except NumberInvalid:
                return
        else:
            address = address.lower()
        found.setdefault((channel, address), Recipient(channel, address))

    requests = db.session.scalars(
        sa.select(ContactRequest).where(
            ContactRequest.kind == "updates", ContactRequest.consent.is_(True)
        )
    )
    for request in requests:
        if request.phone:
            add("sms", request.phone)
        elif request.email:
            add("email", request.email)
    for member in members(include_left=False):
        if not member.consent_contact or member.contact_preference == "none":
            continue
        add(
            member.contact_preference,
            member.phone if member.contact_preference == "sms" else member.email,
        )
    return list(found.values())


def update_text(body: str, channel: str = "sms") -> str:
    link = f"{current_app.config['PUBLIC_BASE_URL']}/you-said-we-did"
    end = "Reply STOP to stop." if channel == "sms" else "Reply to this email to stop."
    return f"{body.strip()} See what changed: {link} {end}"


UPDATE_SUBJECT = "You said, we did: what has changed"


def preview_update(body: str) -> SendPreview:
    """What ``send_update`` would send, sending nothing (the confirm step). Numbers that texted
    STOP are still skipped when it is sent."""
    body = (body or "").strip()
    if not body:
        raise ForumError("Write the update")
    people = recipients()
    channels = []
    for channel in ("sms", "email"):
        count = sum(1 for p in people if p.channel == channel)
        if count:
            subject = UPDATE_SUBJECT if channel == "email" else ""
            channels.append(ChannelPreview(channel, count, update_text(body, channel), subject))
    total = len(people)
    return SendPreview(f"an update to {total} {'person' if total == 1 else 'people'}", channels)


def send_update(body: str, actor: StaffUser, board_reply: BoardReply | None = None) -> UpdateNotice:
    """Queue the update for everyone who asked. Texts go through the SMS queue (the worker
    sends them outside quiet hours and skips opted-out numbers); emails are sent now. With
    ``board_reply``, the update passes on that reply of the board (its meeting page says so)."""
    body = (body or "").strip()
    if not body:
        raise ForumError("Write the update")
    notice = UpdateNotice(
        body=body, sent_by_id=actor.id, board_reply_id=board_reply.id if board_reply else None
    )
    db.session.add(notice)
    db.session.flush()
    record("ysyd.update.send", notice, detail=body[:200], actor=actor)
    db.session.commit()
    notice_id = notice.id
    queued = emailed = skipped = 0
    for person in recipients():
        if person.channel == "sms":
            message = queue_text(
                person.address,
                update_text(body, "sms"),
                idempotency_key=f"ysyd:{notice_id}:{phone_hash(person.address)[:32]}",
            )
            if message is None:
                skipped += 1
            else:
                queued += 1
        else:
            send_email(person.address, UPDATE_SUBJECT, update_text(body, "email"))
            emailed += 1
    notice = db.session.get_one(UpdateNotice, notice_id)  # added above
    notice.texts_queued, notice.emails_sent, notice.skipped = queued, emailed, skipped
    db.session.commit()
    return notice


def get_board_reply(reply_id: int) -> BoardReply | None:
    return db.session.get(BoardReply, reply_id)


def board_reply_update_draft(reply: BoardReply) -> str:
    """A suggested update passing on the board's reply: staff edit it before the confirm step.
    Kept under the update's 240 characters (the link and "Reply STOP" are added when sent)."""
    said = " ".join(reply.reply.split())
    text = f"You asked the corporate parenting board: {reply.item.topic}. The board said: {said}"
    return text if len(text) <= 240 else text[:237].rstrip() + "..."


def replies_sent(reply_ids: list[int]) -> dict[int, UpdateNotice]:
    """The latest update sent about each of these board replies."""
    if not reply_ids:
        return {}
    found = db.session.scalars(
        sa.select(UpdateNotice)
        .where(UpdateNotice.board_reply_id.in_(reply_ids))
        .order_by(UpdateNotice.id)
    )
    return {n.board_reply_id or 0: n for n in found}


def notices() -> list[UpdateNotice]:
    return list(db.session.scalars(sa.select(UpdateNotice).order_by(UpdateNotice.id.desc())))
