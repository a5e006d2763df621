"""Admin page: read and filter the audit log. With htmx the results update as filters change."""

from __future__ import annotations

from flask import Blueprint, request

from app.core.pages import page_arg, render_page_or_partial
from app.staff.audit.forms import AuditFilterForm
from app.staff.audit.services import AuditFilter, action_names, object_types, search
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("audit", __name__)


@bp.get("/admin/audit")
@allow(Role.ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in action_names()]
    form.object_type.choices = [("", "Anything")] + [(o, o) for o in object_types()]
    filters = AuditFilter()
    if form.validate():
        filters = AuditFilter(
            actor=(form.actor.data or "").strip(),
            action=form.action.data or "",
            object_type=form.object_type.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    page = page_arg()
    events = search(filters, page=max(page, 1))
    return render_page_or_partial(
        "audit/log.html", "audit/_partials/results.html", form=form, events=events
    )
