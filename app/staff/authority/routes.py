"""Public pages (privacy, accessibility, cookies), branding assets, and the admin settings pages."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from app.staff.auth.access import allow, public
from app.staff.auth.models import Role
from app.staff.authority.forms import LogoForm, PageTextForm, SettingsForm
from app.staff.authority.services import (
    PAGES,
    SettingsChange,
    SettingsInvalid,
    brand_css,
    get_settings,
    page_text,
    render_page_text,
    update_logo,
    update_page,
    update_settings,
)

bp = Blueprint("authority", __name__)


@bp.get("/<any(privacy, accessibility, cookies):page>")
@public
def public_page(page: str):
    body = render_page_text(page_text(get_settings(), page))
    return render_template("authority/public_page.html", title=PAGES[page], body=body)


def _cached(body: bytes, mimetype: str) -> Response:
    """A small asset with an ETag, so phones on thin data plans download it once."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.make_conditional(request)  # in place
    return response


@bp.get("/brand.css")
@public
def brand_stylesheet():
    return _cached(brand_css(get_settings()).encode(), "text/css")


@bp.get("/logo")
@public
def logo():
    settings = get_settings()
    if not settings.logo:
        abort(404)
    response = _cached(settings.logo, settings.logo_mimetype or "application/octet-stream")
    # An uploaded SVG must never run script, even if opened directly.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/admin/settings", methods=["GET", "POST"])
@allow(Role.ADMIN)
def settings():
    current = get_settings()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        change = SettingsChange(
            **{
                name: _clean(getattr(form, name).data)
                for name in SettingsChange.__dataclass_fields__
            }
        )
        try:
            update_settings(change)
        except SettingsInvalid as exc:
            form.brand_colour.errors.append(str(exc))
        else:
            flash("Settings saved.")
            return redirect(url_for("authority.settings"))
    return render_template(
        "authority/settings.html", form=form, settings=current, logo_form=LogoForm(), pages=PAGES
    )


def _clean(value):
    return value.strip() if isinstance(value, str) else value


@bp.post("/admin/settings/logo")
@allow(Role.ADMIN)
def upload_logo():
    form = LogoForm()
    if form.validate_on_submit():
        try:
            if form.remove.data:
                update_logo(None, None)
            elif form.logo.data:
                update_logo(form.logo.data.read(), form.logo.data.mimetype)
        except SettingsInvalid as exc:
            form.logo.errors.append(str(exc))
        else:
            flash("Logo saved.")
            return redirect(url_for("authority.settings"))
    current = get_settings()
    return render_template(
        "authority/settings.html",
        form=SettingsForm(obj=current),
        settings=current,
        logo_form=form,
        pages=PAGES,
    ), 400


@bp.route(
    "/admin/settings/pages/<any(privacy, accessibility, cookies):page>", methods=["GET", "POST"]
)
@allow(Role.ADMIN)
def edit_page(page: str):
    form = PageTextForm(text=page_text(get_settings(), page))
    if form.validate_on_submit():
        update_page(page, form.text.data or "")
        flash(f"{PAGES[page]} saved.")
        return redirect(url_for("authority.public_page", page=page))
    return render_template("authority/edit_page.html", form=form, title=PAGES[page], page=page)
