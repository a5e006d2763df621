"""Invitations to a survey round and the round's reminder schedule.

Anonymity (ARCHITECTURE.md): an invitation knows its contact and its round; it never knows the
response. Its ``status`` becomes "completed" (a flag, never a date) when a batch of sealed
completion notices is applied, a day or more after the person answered: see
app/outreach/invitations/services.py ``apply_completion_notices`` and surveys/completion.py.

Erasure: deleting a contact sets ``contact_id`` to NULL here, and the row stays, so the round's
counts (invited, reached, completed, by age band and team) do not change. ``age_band`` and
``team`` are copied when the invitation is made for that reason; neither names anyone.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today
from app.core.extensions import Model, scrubbed


@scrubbed
class Invitation(Model):
    __tablename__ = "invitation"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "contact_id", name="uq_invitation_round_contact"),
        sa.CheckConstraint("status IN ('invited','completed')", name="status_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    contact_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(12), unique=True)
    channels: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="invited")
    invited_on: so.Mapped[date] = so.mapped_column(default=today)
    reached: so.Mapped[bool] = so.mapped_column(default=False)
    bounced: so.Mapped[bool] = so.mapped_column(default=False)
    age_band: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    team: so.Mapped[str] = so.mapped_column(sa.String(80), default="")

    contact = so.relationship("Contact")

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"


class ReminderSchedule(Model):
    """The days after the invitation on which people who have not answered are reminded."""

    __tablename__ = "reminder_schedule"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), unique=True
    )
    days: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=lambda: [7, 14, 28])
