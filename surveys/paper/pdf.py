"""Printable paper forms as PDF (WeasyPrint): A4, tick boxes, lines to write on, a serial
number on every page, the authority's branding and help numbers; a large-print version.

Decisions:
- The font is Atkinson Hyperlegible (SIL OFL), vendored in static/vendor/fonts by
  scripts/vendor-fonts.sh (``make vendor``), so the PDF looks the same on every machine.
- Each choice is printed with the number the keyer types ("1", "2", ...; see
  services.option_numbers), so keying is fast and the form and the screen always agree.
- The serial is a CSS named string set at the start of each form and printed in the top margin
  of every page, so a loose page can be matched to its form.
- WeasyPrint fetches nothing from the network: only our own font files and data: URIs
  (the uploaded logo) are allowed.
"""

from __future__ import annotations

import base64
from pathlib import Path

from flask import render_template
from weasyprint import HTML, URLFetcher

from app.authority.services import get_settings
from surveys.models import SurveyRound
from surveys.paper.services import has_other, option_numbers, serial_text

FONTS = Path(__file__).resolve().parent.parent.parent / "static" / "vendor" / "fonts"
BODY_PT, LARGE_BODY_PT = 11, 16


class LocalOnlyFetcher(URLFetcher):
    """Our own font files and data: URIs, nothing else (no network, no other local files)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url, headers=None):
        if not (url.startswith("data:") or url.startswith(FONTS.as_uri() + "/")):
            raise ValueError(f"PDF forms may not load {url[:80]}")
        return super().fetch(url, headers)


def forms_html(survey_round: SurveyRound, numbers: list[int], *, large_print: bool) -> str:
    settings = get_settings()
    logo = None
    if settings.logo and settings.logo_mimetype:
        encoded = base64.b64encode(settings.logo).decode("ascii")
        logo = f"data:{settings.logo_mimetype};base64,{encoded}"
    return render_template(
        "surveys/paper/form_pdf.html",
        survey_round=survey_round,
        questionnaire=survey_round.questionnaire,
        questions=list(survey_round.questionnaire.questions),
        serials=[serial_text(survey_round, n) for n in numbers],
        authority=settings,
        logo=logo,
        fonts=FONTS.as_uri(),
        body_pt=LARGE_BODY_PT if large_print else BODY_PT,
        large_print=large_print,
        option_numbers=option_numbers,
        has_other=has_other,
    )


def forms_pdf(survey_round: SurveyRound, numbers: list[int], *, large_print: bool = False) -> bytes:
    """One PDF holding a form for each serial number, each starting on a new page."""
    html = forms_html(survey_round, numbers, large_print=large_print)
    return HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf()
