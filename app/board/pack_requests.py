"""A board member asks for the pack for their meeting (issue 23).

The button is on the board meeting's page. A job makes the pack (app/board/tasks.make_pack, the
same job as staff's "Prepare a board pack"); the requester is taken to the pack's progress page,
which says when it is ready, and the packs page lists the packs they asked for.

Decisions a newcomer might undo:
- No duplicate builds: a request for a meeting whose data has not changed since an earlier
  request for it (``data_key``, a hash of everything staff can change that the pack shows, the
  board's snapshot of the figures, and the day, since ratings depend on it) is shown that pack,
  unless it failed. Two requests at the
  same moment share one job through ``BoardPack.job_key`` (see models.py).
- Rate-limited per person: REQUESTS_PER_DAY packs built in any 24 hours. Being shown an
  existing pack does not count, so pressing the button again is always safe.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.board import pack, services
from app.board.front_page import FrontPage
from app.board.models import BoardMeeting, BoardPack, BoardSnapshot, PackStatus
from app.core.clock import today, utcnow
from app.core.extensions import Model, db
from app.staff.auth.models import StaffUser
from forum.models import Action, ActionUpdate, BoardReply, ForumMeeting, Milestone, PlanChange
from forum.monitoring import ActionReview
from forum.presentations import ForumPresentation
from surveys.models import SurveyRound
from surveys.themes.models import Quote

REQUESTS_PER_DAY = 3


class PackRequestRefused(services.BoardError):
    """Too many packs asked for, or nothing to make one from; the message says what to do."""


class PackRequest(Model):
    """A board member asked for the pack for a meeting; ``pack`` is the one made (or reused)."""

    __tablename__ = "board_pack_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("board_meeting.id", ondelete="CASCADE"), index=True
    )
    pack_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("board_pack.id", ondelete="CASCADE"))
    data_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    requested_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    meeting: so.Mapped[BoardMeeting] = so.relationship()
    pack: so.Mapped[BoardPack] = so.relationship()


def data_key(survey_round: SurveyRound, band: str, on: date) -> str:
    """A hash of what the pack would show: when it is unchanged, so is the pack."""

    def latest(*columns) -> list:
        return list(db.session.execute(sa.select(*columns)).one())

    # The board's snapshot, brought up to date as the pack would (figures move only in steps,
    # app.core.disclosure), so "same pack or new" tells nobody about one more response.
    services.analyse(survey_round)
    snapshot = db.session.scalar(
        sa.select(BoardSnapshot).where(BoardSnapshot.round_id == survey_round.id)
    )
    parts = [
        survey_round.id,
        band,
        on.isoformat(),
        [snapshot.as_at.isoformat(), snapshot.responses, snapshot.coded, snapshot.closed]
        if snapshot
        else None,
        latest(sa.func.count(Action.id), sa.func.max(Action.updated_at)),
        latest(sa.func.max(ActionUpdate.id)),
        latest(sa.func.count(BoardReply.id), sa.func.max(BoardReply.id)),
        latest(sa.func.count(Milestone.id)),
        latest(sa.func.max(PlanChange.id)),
        latest(sa.func.max(ForumMeeting.id)),
        latest(sa.func.count(ActionReview.id), sa.func.max(ActionReview.id)),
        latest(sa.func.count(ForumPresentation.id), sa.func.max(ForumPresentation.id)),
        latest(sa.func.count(Quote.id), sa.func.max(Quote.id)),
        latest(sa.func.count(BoardMeeting.id), sa.func.max(BoardMeeting.id)),
        latest(sa.func.max(FrontPage.saved_at)),
    ]
    text = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _reusable(meeting: BoardMeeting, key: str) -> BoardPack | None:
    return db.session.scalar(
        sa.select(BoardPack)
        .join(PackRequest, PackRequest.pack_id == BoardPack.id)
        .where(
            PackRequest.meeting_id == meeting.id,
            PackRequest.data_key == key,
            BoardPack.status != PackStatus.FAILED.value,
        )
        .order_by(BoardPack.id.desc())
        .limit(1)
    )


def built_today(actor: StaffUser) -> int:
    """Packs this person's requests made in the last 24 hours (reused packs do not count)."""
    earlier = so.aliased(PackRequest)
    first_requests = sa.select(sa.func.min(earlier.id)).group_by(earlier.pack_id)
    return (
        db.session.scalar(
            sa.select(sa.func.count(PackRequest.id)).where(
                PackRequest.requested_by_id == actor.id,
                PackRequest.requested_at > utcnow() - timedelta(days=1),
                PackRequest.id.in_(first_requests),
            )
        )
        or 0
    )


def request_for_meeting(
    meeting: BoardMeeting, actor: StaffUser, on: date | None = None
) -> tuple[BoardPack, bool]:
    """(the pack, whether a new job must make it). Raises PackRequestRefused."""
    on = on or today()
    survey_round = services.get_round(None)
    if survey_round is None:
        raise PackRequestRefused("There is no survey round to make a pack from yet")
    key = data_key(survey_round, "", on)
    existing = _reusable(meeting, key)
    if existing is not None:
        return existing, False
    if built_today(actor) >= REQUESTS_PER_DAY:
        raise PackRequestRefused(
            f"You have asked for {REQUESTS_PER_DAY} packs in the last 24 hours. Use one of "
            "them from the packs page, or try again tomorrow."
        )
    job, created = pack.request_pack(survey_round, "", actor, on)
    db.session.add(
        PackRequest(meeting_id=meeting.id, pack_id=job.id, data_key=key, requested_by_id=actor.id)
    )
    db.session.commit()
    return job, created


def requests_by(actor: StaffUser, limit: int = 10) -> list[PackRequest]:
    return list(
        db.session.scalars(
            sa.select(PackRequest)
            .where(PackRequest.requested_by_id == actor.id)
            .order_by(PackRequest.id.desc())
            .limit(limit)
        )
    )
