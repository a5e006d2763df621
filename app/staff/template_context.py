"""Values every template can use: the authority's branding and the signed-in user's navigation."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user

from app.core import languages
from app.core.clock import utcnow
from app.staff.auth.access import role_may_use
from app.staff.authority.services import get_settings

# The service navigation, in order. Each item shows only for roles its page allows.
NAVIGATION: list[tuple[str, str]] = [
    ("main.staff_home", "Home"),
    ("rounds.rounds_list", "Surveys"),
    ("paper.index", "Paper and data entry"),
    ("contacts.index", "Contacts"),
    ("questionnaires.versions", "Questionnaires"),
    ("translator.index", "Translations"),
    ("safeguarding.flags", "Safeguarding"),
    ("sms.outbox", "Texts"),
    ("themes.index", "Themes"),
    ("board.dashboard", "Board"),
    ("forum.index", "Forum"),
    ("forum.tracker", "Actions"),
    ("auth.users", "Staff"),
    ("audit.audit_log", "Audit log"),
    ("authority.settings", "Settings"),
]


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, text in NAVIGATION:
        if role_may_use(current_user.role_enum, endpoint):
            items.append(
                {"href": url_for(endpoint), "text": text, "active": request.endpoint == endpoint}
            )
    return items


def chrome_key() -> tuple | None:
    """What the header and footer are made from, for a visitor who is not signed in, so their
    markup is rendered once per content (app/core/fragments.py), in the page's language and the
    translations laid over it (``wording_version``: an import, or a language marked checked,
    shows at once); None for signed-in staff, whose navigation depends on their role."""
    if current_user.is_authenticated:
        return None
    authority = get_settings()
    return (
        languages.wording_version(),
        request.script_root,
        authority.name,
        authority.service_name,
        authority.has_logo,
        authority.duty_phone,
        authority.duty_hours,
    )


def local_datetime(value: datetime | None) -> str:
    """A stored UTC time shown in the authority's time zone, like '23 Nov 2026, 14:05'."""
    if value is None:
        return ""
    tz = ZoneInfo(get_settings().timezone)
    local = value.replace(tzinfo=UTC).astimezone(tz)
    return local.strftime("%-d %b %Y, %H:%M")


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_global(utcnow, "now_utc")
    app.add_template_global(chrome_key)

    @app.context_processor
    def inject() -> dict:
        return {"authority": get_settings(), "navigation": navigation}
