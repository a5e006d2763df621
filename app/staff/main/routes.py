"""Home page, staff start page and /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from app.core import health
from app.core.extensions import limiter
from app.staff.auth.access import ALL_STAFF, allow, public
from app.staff.main.services import staff_links

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    return render_template("main/index.html")


@bp.get("/staff")
@allow(*ALL_STAFF)
def staff_home():
    return render_template(
        "main/staff_home.html",
        links=staff_links(current_user.role_enum, uses_oidc=current_user.uses_oidc),
    )


@bp.get("/healthz")
@public
@limiter.exempt  # uptime checks and load balancers poll it from one address
def healthz():
    healthy, body = health.report()
    return jsonify(body), 200 if healthy else 503
