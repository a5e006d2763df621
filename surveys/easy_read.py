"""What the easy-read edition needs on a page: its pictures, and one idea a line.

The pictures are small SVG files in static/images/easy-read/ (a few hundred bytes each), put
inline in the page rather than linked: a phone on a slow connection makes no extra request, and
the compressed page grows by less than a request's headers would cost. Each is an image with a
name (``role="img"``, ``aria-label`` from the edition's ``picture_alt``) and uses
``currentColor``, so it follows the text colour and high-contrast modes.

A single newline in the edition's wording starts a new line (``lines``); the other languages have
none, so their pages are unchanged. The paper form (surveys/paper/pdf.py) shows the same pictures
as images with alt text, which WeasyPrint tags as figures.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

from flask import current_app
from markupsafe import Markup, escape

EASY_READ = "en-x-easyread"  # its code in app/translations/languages.toml
PICTURES = Path("images") / "easy-read"
_NAME = re.compile(r"[a-z][a-z-]{0,30}")


@cache
def _svg(static_folder: str, name: str) -> str:
    path = Path(static_folder) / PICTURES / f"{name}.svg"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def picture(name: str, alt: str) -> Markup:
    """The picture ``name`` inline, described by ``alt`` (nothing for an unknown name)."""
    if not _NAME.fullmatch(name) or not alt or current_app.static_folder is None:
        return Markup("")
    svg = _svg(current_app.static_folder, name)
    if not svg.startswith("<svg "):
        return Markup("")
    opening = Markup(
        '<svg class="app-easy-read-picture" role="img" aria-label="{}" focusable="false" '
    ).format(alt)
    # Our own shipped file (static/, reviewed like code), never anything a user sent.
    return opening + Markup(svg.removeprefix("<svg "))  # noqa: S704


def lines(text: str) -> Markup:
    """``text`` escaped, each of its lines on a line of its own."""
    return Markup("<br>").join(escape(line.strip()) for line in text.splitlines() if line.strip())


def picture_data_uri(name: str) -> str:
    """The picture ``name`` as a data: URI, for a PDF's ``<img alt>`` (WeasyPrint tags an image
    as a figure with its alt text; "" for an unknown name)."""
    if not _NAME.fullmatch(name) or current_app.static_folder is None:
        return ""
    svg = _svg(current_app.static_folder, name)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else ""
