"""Authority settings: read once per request, edited by admins, shown on every public page.

The three public pages (privacy notice, accessibility statement, cookies) are plain text an admin
edits. ``render_page_text`` turns that text into safe HTML: blank lines make paragraphs, lines
starting "## " make headings and lines starting "- " make bullet lists. Nothing else is
interpreted, so no admin can put script or markup on a public page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.extensions import db
from app.core.images import ImageUnreadable, fit_for_phones
from app.staff.audit.services import record
from app.staff.authority.models import AuthoritySettings

DEFAULT_PAGES_DIR = Path(__file__).parent / "default_pages"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {"image/png", "image/svg+xml", "image/jpeg"}
MAX_LOGO_BYTES = 200 * 1024

PAGES: dict[str, str] = {
    "privacy": "Privacy notice",
    "accessibility": "Accessibility statement",
    "cookies": "Cookies",
}
_PAGE_COLUMNS = {
    "privacy": "privacy_notice",
    "accessibility": "accessibility_statement",
    "cookies": "cookies_page",
}


class SettingsInvalid(ValueError):
    """A setting an admin entered cannot be used; the message says how to fix it."""


def get_settings() -> AuthoritySettings:
    """The authority's settings, created with defaults the first time (one row, id 1)."""
    if "authority_settings" in g:
        return g.authority_settings
    settings = db.session.get(AuthoritySettings, 1)
    if settings is None:
        settings = AuthoritySettings(id=1, name="Your council")
        fill_default_pages(settings)
        db.session.add(settings)
        try:
            db.session.commit()
        except IntegrityError:  # a fresh install's first visitors at once: one row wins
            db.session.rollback()
            settings = db.session.get_one(AuthoritySettings, 1)
    g.authority_settings = settings
    return settings


def time_zone() -> str:
    """The authority's time zone, read without creating or flushing anything (see the clock)."""
    if "authority_settings" in g:
        return g.authority_settings.timezone
    with db.session.no_autoflush:
        settings = db.session.get(AuthoritySettings, 1)
    if settings is None:
        return clock.DEFAULT_ZONE
    # Kept for the request: the session holds loaded rows only weakly, so every date on a page
    # (one per row of a list) and get_settings would otherwise read the settings again.
    g.authority_settings = settings
    return settings.timezone


# --- A read-only copy for the public survey pages ----------------------------------------------
# Every survey page reads the settings (the header, the help numbers, the time zone that says
# whether the round is open today): a statement and a row loaded each time. A page that only
# reads them can instead carry the row's last change (``settings_version``) in a statement it
# runs anyway, and ``use_read_only_copy`` then serves the process's detached copy while that
# version is unchanged. Another worker's save moves ``updated_at``; a save in this process also
# counts in ``_writes`` (so a clock that stands still, as in tests, cannot hide it). Only pages
# that never write the settings may use it: a change to the copy would be lost, and the logo
# and page texts (deferred) are not on it.
_COPY = "authority.read_only_settings"
_writes = [0]


@sa.event.listens_for(AuthoritySettings, "after_insert")
@sa.event.listens_for(AuthoritySettings, "after_update")
@sa.event.listens_for(AuthoritySettings, "after_delete")
def _written(mapper, connection, target) -> None:
    _writes[0] += 1


def settings_version() -> sa.ScalarSelect[datetime]:
    """The settings row's last change, as a column of the caller's statement."""
    return (
        sa.select(AuthoritySettings.updated_at).where(AuthoritySettings.id == 1).scalar_subquery()
    )


def use_read_only_copy(version: datetime | None) -> None:
    """Serve this request's settings from the process's copy, if ``version`` (read by the
    caller with ``settings_version``) is the copy's; else load a new copy. No row yet: nothing
    (``get_settings`` creates it)."""
    if version is None or "authority_settings" in g:
        return
    copies: dict[tuple, AuthoritySettings] = current_app.extensions.setdefault(_COPY, {})
    key = (version, _writes[0])
    copy = copies.get(key)
    if copy is None:
        with so.Session(db.engine) as session:  # its own: the copy must belong to no request
            copy = session.get(AuthoritySettings, 1)
        if copy is None:
            return
        copies.clear()
        copies[key] = copy
    g.authority_settings = copy


def use_authority_zone() -> None:
    """Make ``clock.today()`` the date in the authority's zone (called once by create_app)."""
    clock.use_zone(time_zone)


def fill_default_pages(settings: AuthoritySettings) -> None:
    """Give empty public pages a sensible starting text that names the authority."""
    for page, column in _PAGE_COLUMNS.items():
        if not getattr(settings, column):
            text = (DEFAULT_PAGES_DIR / f"{page}.txt").read_text(encoding="utf-8")
            setattr(settings, column, text.strip().format(authority=settings.name))


def page_text(settings: AuthoritySettings, page: str) -> str:
    return getattr(settings, _PAGE_COLUMNS[page])


@dataclass(frozen=True)
class SettingsChange:
    name: str
    service_name: str
    brand_colour: str
    duty_phone: str
    duty_hours: str
    contact_email: str
    safeguarding_lead_name: str
    safeguarding_lead_email: str
    safeguarding_lead_phone: str
    sms_quiet_start: time
    sms_quiet_end: time
    timezone: str
    out_of_hours_phone: str = ""
    safeguarding_deputy_email: str = ""
    safeguarding_escalate_hours: int = 24


def update_settings(change: SettingsChange) -> AuthoritySettings:
    """Save new settings after checking the brand colour is readable behind white text."""
    if not HEX_COLOUR.match(change.brand_colour):
        raise SettingsInvalid(
            "Enter the brand colour as a # followed by 6 characters, like #1d70b8"
        )
    if contrast_with_white(change.brand_colour) < 4.5:
        raise SettingsInvalid(
            "Choose a darker brand colour: white text on it must have a contrast ratio of at "
            "least 4.5 to 1 so everyone can read the header"
        )
    settings = get_settings()
    changed = []
    for field, value in change.__dict__.items():
        if getattr(settings, field) != value:
            changed.append(field)
            setattr(settings, field, value)
    record("settings.update", settings, detail=", ".join(changed) or "no change")
    db.session.commit()
    return settings


def update_page(page: str, text: str) -> None:
    settings = get_settings()
    setattr(settings, _PAGE_COLUMNS[page], text.strip())
    record("settings.page_update", settings, detail=page)
    db.session.commit()


def update_logo(data: bytes | None, mimetype: str | None) -> None:
    """Replace (or, with no data, remove) the logo shown in the header."""
    if data is not None:
        if mimetype not in LOGO_TYPES:
            raise SettingsInvalid("The logo must be a PNG, JPG or SVG file")
        if len(data) > MAX_LOGO_BYTES:
            raise SettingsInvalid("The logo must be smaller than 200 KB")
        try:
            data = fit_for_phones(data, mimetype)
        except ImageUnreadable as error:
            raise SettingsInvalid("The logo must be a PNG, JPG or SVG file") from error
    settings = get_settings()
    settings.logo, settings.logo_mimetype = data, mimetype if data else None
    record("settings.logo", settings, detail="removed" if data is None else mimetype)
    db.session.commit()


def contrast_with_white(hex_colour: str) -> float:
    """WCAG contrast ratio between white and ``hex_colour``."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g_, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g_) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def brand_css(settings: AuthoritySettings) -> str:
    """The stylesheet that carries the brand colour (a file, so the CSP needs no inline style)."""
    colour = settings.brand_colour if HEX_COLOUR.match(settings.brand_colour) else "#1d70b8"
    return (
        f".app-header{{background-color:{colour};border-bottom-color:{colour}}}\n"
        f".govuk-service-navigation{{border-top-color:{colour}}}\n"
    )


def render_page_text(text: str) -> Markup:
    """Safe HTML for a public page's text (see the module docstring for the tiny syntax)."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
            continue
        if lines[0].startswith("## "):
            html.append(f'<h2 class="govuk-heading-m">{escape(lines[0][3:])}</h2>')
            lines = lines[1:]
        if lines:
            body = escape(" ".join(lines))
            html.append(f'<p class="govuk-body">{body}</p>')
    return Markup("\n".join(html))  # noqa: S704 - every piece of text above is escaped
