"""The audit log: an append-only record of who did what, to which object, and when.

Rows are never updated or deleted: the ORM refuses it (below) and the migration adds database
triggers that refuse it too, so not even a careless script can rewrite history.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    # Who it was at the time (an email, "system" or "anonymous"): survives renames and deletions.
    actor_label: so.Mapped[str] = so.mapped_column(sa.String(254))
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    object_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    ip_address: so.Mapped[str | None] = so.mapped_column(sa.String(45))


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_change(*_args) -> None:
    raise RuntimeError("The audit log is append-only")
