"""Every PDF goes through here (WeasyPrint): the paper forms, letters, the poster, the board pack.

What they share, once:
- The font is Atkinson Hyperlegible (SIL OFL), vendored in static/vendor/fonts by
  scripts/vendor-fonts.sh (``make vendor``), so a PDF looks the same on every machine. Its
  ``@font-face`` rules, A4 and the font stack are ``BASE_CSS``, given to WeasyPrint as a user
  stylesheet: a template's own ``<style>`` (margins, sizes, running heads) overrides it.
- Other scripts: the stack goes on to Noto fonts, which Pango picks glyph by glyph where
  Atkinson Hyperlegible has none: Noto Sans Arabic (Arabic, Pashto, Dari, Kurdish Sorani, Urdu),
  Noto Sans Ethiopic (Tigrinya), Noto Sans (Vietnamese and the rest). They are Debian's
  fonts-noto-core (deploy/pdf-packages.txt: `make pdf-packages`, and the Dockerfile), read through
  fontconfig, so no URL is fetched for them. Without them, Arabic falls back to DejaVu Sans.
  A right-to-left form sets ``dir="rtl"`` on ``<html>``: Pango shapes and orders the text.
- WeasyPrint fetches nothing from the network: only our own font files and data: URIs
  (the uploaded logo, QR codes, charts) are allowed.
- Every PDF is tagged as PDF/UA-1 (WeasyPrint's ``pdf_variant="pdf/ua-1"``, which turns on
  ``pdf_tags``): a structure tree that follows the HTML (so the reading order is the page's
  order: headings, paragraphs, lists, tables), the document language from ``<html lang>``, the
  title from ``<title>`` shown in the viewer's title bar, and each ``<img>`` a Figure whose alt
  text is its ``alt`` (charts pass their written alt text; a logo is named, never ``alt=""``,
  which WeasyPrint cannot mark as decoration). Councils must publish accessible board papers;
  tests/test_pdf_accessibility.py checks every kind of PDF with pikepdf.
- PDFs made in parts (a whole cohort's letters are made 200 at a time, so WeasyPrint never
  holds thousands of pages at once) are joined into one tagged file by
  ``app.core.pdf_join.join_pdfs``, one part in memory at a time.
- ``render_pdf_html`` renders a PDF template with the authority's branding (``authority``,
  ``logo``); the caller passes the settings, as this layer does not read them.
"""

from __future__ import annotations

import base64
import functools
import gc
from types import ModuleType
from typing import Any

from flask import render_template

from app.core.files import FONTS

FONT_STACK = (
    '"Atkinson Hyperlegible", "Atkinson Hyperlegible Ext", "Liberation Sans", '
    '"Noto Sans Arabic", "Noto Sans Ethiopic", "Noto Sans", "DejaVu Sans", sans-serif'
)
_FACES = (
    ("Atkinson Hyperlegible", "latin"),
    ("Atkinson Hyperlegible Ext", "latin-ext"),
)


def _font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{FONTS.as_uri()}/atkinson-hyperlegible-{subset}-{weight}-normal.woff"); }}'
        for family, subset in _FACES
        for weight in (400, 700)
    )


BASE_CSS = f"""
{_font_faces()}
@page {{ size: A4; }}
html {{ font-family: {FONT_STACK}; color: #0b0c0c; }}
"""


@functools.cache
def weasyprint() -> ModuleType:
    """WeasyPrint, loaded the first time a PDF is made.

    Imported here rather than at the top of the module: it costs about 40 MB and 2 s, and most
    processes (the survey pages, the send worker) never make a PDF."""
    import weasyprint  # lazy on purpose (memory): see the docstring
    import weasyprint.text.fonts

    return weasyprint


@functools.cache
def _local_only_fetcher() -> type:
    """Our own font files and data: URIs, nothing else (no network, no other local files)."""

    fetcher: Any = weasyprint().URLFetcher  # a class known only at run time (loaded lazily)

    class LocalOnlyFetcher(fetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"})

        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or url.startswith(FONTS.as_uri() + "/")):
                raise ValueError(f"PDFs may not load {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher


PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    wp = weasyprint()
    fetcher = _local_only_fetcher()()
    fonts = wp.text.fonts.FontConfiguration()
    base = wp.CSS(string=BASE_CSS, font_config=fonts, url_fetcher=fetcher)
    return wp.HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[base], font_config=fonts, pdf_variant=PDF_VARIANT
    )


def release_layouts() -> None:
    """Give back the memory of the PDFs just made, before a job goes on to its next big step.

    WeasyPrint's layout boxes refer to one another (parent and children), so a finished
    document is freed only by the cyclic collector, which may not run before the job's next
    step has grown the process further (the board pack's spreadsheet, the next part of a letter
    run). Cheap in a process started through wsgi.py, which moves the objects made at start-up
    out of the collector's way (``gc.freeze``); not called per PDF, because in a process that
    did not (the test suite) each collection walks every object."""
    gc.collect()


def logo_data_uri(settings) -> str | None:
    """The authority's uploaded logo as a data: URI, or None."""
    if settings.logo and settings.logo_mimetype:
        encoded = base64.b64encode(settings.logo).decode("ascii")
        return f"data:{settings.logo_mimetype};base64,{encoded}"
    return None


def render_pdf_html(template: str, settings, **context) -> str:
    """A PDF template's HTML, with the authority's settings and logo."""
    return render_template(template, authority=settings, logo=logo_data_uri(settings), **context)
