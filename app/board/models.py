"""Tables for the board: its meetings, what it asked for, packs and reference figures.

Decisions a newcomer might undo:
- ``BoardPack.job_key`` is "round:age band:date" while a pack is queued or running and NULL once
  it is done or failed. It is UNIQUE, and NULLs never clash, so two requests for the same pack at
  the same moment make one job (the second insert fails and finds the first) on SQLite and
  PostgreSQL alike, while finished packs of the same day are kept as dated documents.
- Pack files (PDF and XLSX) are stored in the row: packs are small (a few hundred KB), every
  worker process can serve them, and backups hold them with the rest of the data.
- A board request (something the board asked for at a meeting) becomes a "you said" item with
  source "board" (forum.models.YouSaid), so it is tracked like every other action.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model
from app.staff.auth.models import StaffUser
from surveys.models import SurveyRound


class PackStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BoardPack(Model):
    __tablename__ = "board_pack"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued','running','done','failed')", name="status_known"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    age_band: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    prepared_on: so.Mapped[date]
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=PackStatus.QUEUED.value)
    progress: so.Mapped[int] = so.mapped_column(default=0)
    stage: so.Mapped[str] = so.mapped_column(sa.String(120), default="Waiting to start")
    # Set while queued or running, NULL afterwards: see the module docstring.
    job_key: so.Mapped[str | None] = so.mapped_column(sa.String(80), unique=True)
    pdf: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    xlsx: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    pdf_size: so.Mapped[int] = so.mapped_column(default=0)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finished_at: so.Mapped[datetime | None]
    # The consumer making it ("host:pid") and until when its claim holds (app/board/pack.py).
    worker: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    lease_until: so.Mapped[datetime | None]
    attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    survey_round: so.Mapped[SurveyRound] = so.relationship()
    requested_by: so.Mapped[StaffUser | None] = so.relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in (PackStatus.DONE, PackStatus.FAILED)


class BoardMeeting(Model):
    __tablename__ = "board_meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    held_on: so.Mapped[date] = so.mapped_column(index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="Corporate parenting board")
    decisions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The papers: the pack the board read for this meeting.
    pack_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("board_pack.id", ondelete="SET NULL")
    )

    pack: so.Mapped[BoardPack | None] = so.relationship()
    requests: so.Mapped[list[BoardRequest]] = so.relationship(
        back_populates="meeting", order_by="BoardRequest.id", cascade="all, delete-orphan"
    )


class BoardRequest(Model):
    """Something the board asked for at a meeting; it becomes a "you said" item (source board)."""

    __tablename__ = "board_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("board_meeting.id", ondelete="CASCADE"), index=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("you_said_item.id", ondelete="SET NULL"), index=True
    )

    meeting: so.Mapped[BoardMeeting] = so.relationship(back_populates="requests")
    item = so.relationship("YouSaid")


class ReferenceFigure(Model):
    """A figure from elsewhere to compare with (e.g. a national survey's answer to a question).

    ``measure`` names what it compares with: "response_rate", or "Q11:yes" (a question's code and
    an option's value), the same keys the comparison table uses.
    """

    __tablename__ = "board_reference_figure"
    __table_args__ = (
        sa.UniqueConstraint("measure", "source"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    measure: so.Mapped[str] = so.mapped_column(sa.String(40))
    source: so.Mapped[str] = so.mapped_column(sa.String(160))
    percent: so.Mapped[float]
    year: so.Mapped[int | None]


class BoardSnapshot(Model):
    """The figures the board sees for one round, as at the last time they moved.

    They move only when at least DISCLOSURE_SNAPSHOT_STEP more responses are complete (or more
    people's answers coded), or when the round closes, so comparing the page before and after
    one person answers shows nothing about that person (app.core.disclosure). ``data`` holds the
    protected tables and the counts behind them, so the next snapshot can be protected against
    this one too; it is never shown raw.
    """

    __tablename__ = "board_snapshot"
    __table_args__ = (sa.UniqueConstraint("round_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE")
    )
    as_at: so.Mapped[date]
    responses: so.Mapped[int]
    coded: so.Mapped[int]
    closed: so.Mapped[bool] = so.mapped_column(default=False)
    data: so.Mapped[dict] = so.mapped_column(sa.JSON)
