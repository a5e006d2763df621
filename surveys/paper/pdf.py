"""Printable paper forms as PDF (WeasyPrint): A4, tick boxes, lines to write on, a serial
number on every page, the authority's branding and help numbers; a large-print version.

Decisions:
- Fonts and the no-network rule are shared with every PDF: see app/core/pdf.py.
- Each choice is printed with the number the keyer types ("1", "2", ...; see
  services.option_numbers), so keying is fast and the form and the screen always agree.
- The easy-read edition (``easy_read=True``) prints the questionnaire's easy-read wording
  (surveys/translations.py) with its pictures; numbers, codes and the keying screen are the
  same, so an easy-read form is keyed like any other.
- The serial is a CSS named string set at the start of each form and printed in the top margin
  of every page, so a loose page can be matched to its form.
"""

from __future__ import annotations

from app.core.pdf import html_to_pdf, render_pdf_html
from app.staff.authority.services import get_settings
from surveys import translations
from surveys.easy_read import EASY_READ, lines, picture_data_uri
from surveys.models import SurveyRound
from surveys.paper.services import has_other, option_numbers, serial_text

BODY_PT, LARGE_BODY_PT = 11, 16


def forms_html(
    survey_round: SurveyRound, numbers: list[int], *, large_print: bool, easy_read: bool = False
) -> str:
    questionnaire = survey_round.questionnaire
    language = EASY_READ if easy_read else translations.ENGLISH
    questions = list(questionnaire.questions)
    return render_pdf_html(
        "surveys/paper/form_pdf.html",
        get_settings(),
        survey_round=survey_round,
        questionnaire=questionnaire,
        questions=questions,
        wording=translations.questionnaire_wording(questionnaire, language),
        question_wording={q.code: translations.question_wording(q, language) for q in questions},
        easy_read=easy_read,
        lines=lines,
        picture_data_uri=picture_data_uri,
        serials=[serial_text(survey_round, n) for n in numbers],
        body_pt=LARGE_BODY_PT if large_print else BODY_PT,
        large_print=large_print,
        option_numbers=option_numbers,
        has_other=has_other,
    )


def forms_pdf(
    survey_round: SurveyRound,
    numbers: list[int],
    *,
    large_print: bool = False,
    easy_read: bool = False,
) -> bytes:
    """One PDF holding a form for each serial number, each starting on a new page."""
    html = forms_html(survey_round, numbers, large_print=large_print, easy_read=easy_read)
    return html_to_pdf(html)
