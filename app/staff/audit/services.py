"""Writing and reading the audit log.

``record`` adds an event to the current session; the caller's commit saves it together with the
change it describes, so a change is never saved without its audit row (or the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import StaffUser


def record(
    action: str,
    obj: object | None = None,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    detail: str | None = None,
    actor: StaffUser | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (or an explicit type and id)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    label = actor_label or (
        actor.email if actor else "anonymous" if has_request_context() else "system"
    )
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=label[:254],
        action=action[:64],
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64],
        detail=detail[:1000] if detail else None,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(filters: AuditFilter, page: int = 1, per_page: int = 50):
    """Newest first, filtered; returns a Flask-SQLAlchemy pagination object."""
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters.actor:
        query = query.where(AuditEvent.actor_label.ilike(f"%{filters.actor}%"))
    if filters.action:
        query = query.where(AuditEvent.action.ilike(f"{filters.action}%"))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        query = query.where(AuditEvent.at < end)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def action_names() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def object_types() -> list[str]:
    query = sa.select(AuditEvent.object_type).where(AuditEvent.object_type.is_not(None)).distinct()
    return sorted(db.session.scalars(query))
