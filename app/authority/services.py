"""Authority settings: read once per request, edited by admins, shown on every public page.

The three public pages (privacy notice, accessibility statement, cookies) are plain text an admin
edits. ``render_page_text`` turns that text into safe HTML: blank lines make paragraphs, lines
starting "## " make headings and lines starting "- " make bullet lists. Nothing else is
interpreted, so no admin can put script or markup on a public page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from flask import g
from markupsafe import Markup, escape

from app.audit.services import record
from app.authority.models import AuthoritySettings
from app.extensions import db

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
        db.session.commit()
    g.authority_settings = settings
    return settings


def fill_default_pages(settings: AuthoritySettings) -> None:
    """Give empty public pages a sensible starting text that names the authority."""
    for page, column in _PAGE_COLUMNS.items():
        if not getattr(settings, column):
            setattr(settings, column, DEFAULT_PAGES[page].format(authority=settings.name))


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


def update_settings(change: SettingsChange) -> AuthoritySettings:
    """Save new settings after checking the brand colour is readable behind white text."""
    if not HEX_COLOUR.match(change.brand_colour):
        raise SettingsInvalid("Enter the brand colour as a # followed by 6 characters, like #1d70b8")
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
    return Markup("\n".join(html))


DEFAULT_PAGES: dict[str, str] = {
    "privacy": """This notice explains what information {authority} keeps in Belonging, why, and for how long.

## Who we are
{authority} is the data controller. Belonging is the tool our leaving care service uses to hear from care leavers, run the care leavers' forum and tell young people what changed.

## What we keep
- Your answers to the survey. We do not ask for your name. Your answers are kept apart from any contact details, so nobody can tell which answers are yours.
- Your contact details, only if you choose to give them to join the forum or to hear what changed. These are kept apart from your answers.
- The names, phone numbers and emails of care leavers we invite, so we can send invitations and reminders.
- Staff accounts and a record of what staff do in the system.

## Why we keep it
We are your corporate parent. The law asks us to listen to care leavers and improve our services. We use survey answers to plan changes and to report to the corporate parenting board.

## How long we keep it
Survey answers are kept for 6 years so we can compare one year with the next. Contact details are deleted when you ask, or when you are no longer a care leaver we support.

## Your rights
You can ask to see, correct or delete the personal information we hold about you. You can complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).

## Contact us
Speak to your Personal Adviser, or contact the leaving care team.""",
    "accessibility": """This statement applies to Belonging, run by {authority}.

We want as many people as possible to be able to use this service. You should be able to:
- change colours, contrast levels and fonts using your browser or device settings
- zoom in up to 400% without the text spilling off the screen
- get through the whole survey using just a keyboard
- use the survey without JavaScript
- use the service with a screen reader

## How accessible this service is
We test every page against the Web Content Accessibility Guidelines (WCAG) 2.2 level AA, using automated checks in a real browser and by hand.

## What to do if you cannot use this service
If you need the survey on paper, in large print, in another language or read to you, ask your Personal Adviser or the leaving care team. You can also answer by text message.

## Reporting problems
If you find a problem with this service, tell the leaving care team. If you are not happy with our reply, contact the Equality Advisory and Support Service (EASS).

## Compliance status
This service is fully compliant with WCAG 2.2 level AA as far as we know.""",
    "cookies": """Belonging puts small files (known as cookies) on your device.

We only use cookies that are essential to make the service work. We do not use cookies to track you or for analytics, so we do not ask you to accept cookies.

## Essential cookies
- belonging_session: keeps you signed in if you are staff, keeps your place in the survey and protects forms from attack. It is deleted when you close your browser or after 30 minutes without use.

## Your answers
Your survey answers are not kept in cookies.""",
}
