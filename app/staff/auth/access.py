"""Route access rules: every view declares who may use it, and undeclared views are refused.

``@allow(Role.ADMIN, ...)`` names the staff roles for a view; ``@public`` marks a view anyone may
see (the survey, the public pages). ``enforce_access`` runs before every request and fails closed:
a view that declares nothing answers 403 to everybody, so forgetting a decorator cannot leak data.
A signed-in member of staff refused by their role is written to the audit log ("access.refused").
The role walk-through test reads these declarations to prove no role reaches more than it should.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.auth import sessions
from app.staff.auth.models import Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
ALL_STAFF: tuple[Role, ...] = tuple(Role)


def allow(*roles: Role) -> Callable[[F], F]:
    """Let signed-in staff with one of ``roles`` use the view."""

    def mark(view: F) -> F:
        # A mark on the view function itself, which mypy's Callable type has no room for.
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    """Let anyone, signed in or not, use the view."""
    # A mark on the view function itself, which mypy's Callable type has no room for.
    view.allowed_roles = PUBLIC  # type: ignore[attr-defined]
    return view


def allowed_roles(endpoint: str) -> frozenset[Role] | str | None:
    """The declaration of an endpoint: PUBLIC, a set of roles, or None if it declares nothing."""
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.sign_out"}


def enforce_access():
    """before_request hook: sign-in, role and forced-password-change checks."""
    if request.endpoint is None:  # 404/405: let the routing error through
        return None
    rule = allowed_roles(request.endpoint)
    if rule == PUBLIC:
        return None
    if rule is None:
        current_app.logger.error("View %s declares no access rule", request.endpoint)
        abort(403)
    if current_user.is_authenticated and sessions.expired():
        flash("You were signed out because you had not used the service for a while.")
    if not current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        abort(401)
    if current_user.must_change_password and request.endpoint not in _PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    if current_user.role_enum not in rule:
        _record_refusal()
        abort(403)
    return None


def _record_refusal() -> None:
    """A signed-in member of staff tried a page their role does not allow: audit it."""
    record(
        "access.refused",
        object_type="page",
        object_id=request.endpoint,
        detail=f"{request.method} {request.path}"[:1000],
    )
    db.session.commit()


def role_may_use(role: Role, endpoint: str) -> bool:
    """Whether staff with ``role`` may use ``endpoint`` (for building menus that never 403)."""
    if endpoint not in current_app.view_functions:
        return False
    rule = allowed_roles(endpoint)
    return rule == PUBLIC or (isinstance(rule, frozenset) and role in rule)
