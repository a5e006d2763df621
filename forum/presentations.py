"""The schedule of the forum's presentations to the corporate parenting board (issue 23).

Staff plan who from the forum presents what to which board meeting. The forum's page and the
board's meetings page show what is coming up and what was presented. The meeting is named in
words (the board's meetings live in app.board, above this layer), so the schedule can be made
before the board has fixed its own agenda.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today
from app.core.extensions import Model, db
from app.core.text import clean_text
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser


class PresentationError(Exception):
    """The presentation cannot be saved; the message says how to fix it."""


class ForumPresentation(Model):
    __tablename__ = "forum_presentation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    presents_on: so.Mapped[date] = so.mapped_column(index=True)
    meeting: so.Mapped[str] = so.mapped_column(sa.String(200), default="Corporate parenting board")
    topic: so.Mapped[str] = so.mapped_column(sa.String(200))
    presenters: so.Mapped[str] = so.mapped_column(sa.String(200))


@dataclass
class Schedule:
    coming: list[ForumPresentation]  # today or later, soonest first
    past: list[ForumPresentation]  # newest first


def schedule(on: date | None = None, past_limit: int = 6) -> Schedule:
    on = on or today()
    coming = db.session.scalars(
        sa.select(ForumPresentation)
        .where(ForumPresentation.presents_on >= on)
        .order_by(ForumPresentation.presents_on, ForumPresentation.id)
    )
    past = db.session.scalars(
        sa.select(ForumPresentation)
        .where(ForumPresentation.presents_on < on)
        .order_by(ForumPresentation.presents_on.desc(), ForumPresentation.id.desc())
        .limit(past_limit)
    )
    return Schedule(list(coming), list(past))


def add_presentation(
    presents_on: date | None, meeting: str, topic: str, presenters: str, actor: StaffUser
) -> ForumPresentation:
    topic, presenters = clean_text(topic or "").strip(), clean_text(presenters or "").strip()
    if presents_on is None:
        raise PresentationError("Enter the date of the board meeting")
    if not topic:
        raise PresentationError("Enter what the forum will present")
    if not presenters:
        raise PresentationError("Enter who will present")
    presentation = ForumPresentation(
        presents_on=presents_on,
        meeting=clean_text(meeting or "").strip() or "Corporate parenting board",
        topic=topic[:200],
        presenters=presenters[:200],
    )
    db.session.add(presentation)
    db.session.flush()
    record("forum.presentation.add", presentation, detail=topic[:200], actor=actor)
    db.session.commit()
    return presentation


def remove_presentation(presentation: ForumPresentation, actor: StaffUser) -> None:
    record("forum.presentation.remove", presentation, detail=presentation.topic, actor=actor)
    db.session.delete(presentation)
    db.session.commit()


def get_presentation(presentation_id: int) -> ForumPresentation | None:
    return db.session.get(ForumPresentation, presentation_id)
