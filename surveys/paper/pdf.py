"""Printable paper forms as PDF (WeasyPrint): A4, tick boxes, lines to write on, a serial
number on every page, the authority's branding and help numbers; a large-print version.

Decisions:
- Fonts and the no-network rule are shared with every PDF: see app/core/pdf.py.
- Each choice is printed with the number the keyer types ("1", "2", ...; see
  services.option_numbers), so keying is fast and the form and the screen always agree.
- The serial is a CSS named string set at the start of each form and printed in the top margin
  of every page, so a loose page can be matched to its form.
- A form in another language (issue 22) is rendered inside ``languages.speaking(code)``: the
  fixed wording through gettext, help wording through ``_help`` (English unless a translator
  has checked the language), the questions from the translation data
  (``translations.paper_wording``). Easy read is one of those languages (``en-x-easyread``,
  chosen in the same list): its pictures are printed as images with alt text (tagged figures),
  one idea a line. Numbers, codes and the serial stay the same, so a keyer types the same
  numbers whatever language or edition the form was printed in. ``<html lang dir>`` come
  from the language (PDF/UA: the document language), so a right-to-left form is laid out so.
"""

from __future__ import annotations

from app.core.languages import DEFAULT, gettext, speaking
from app.core.pdf import FONT_STACK, html_to_pdf, render_pdf_html
from app.staff.authority.services import get_settings
from surveys.easy_read import lines, picture_data_uri
from surveys.models import Question, QuestionKind, SurveyRound
from surveys.paper.services import has_other, option_numbers, serial_text
from surveys.translations import paper_wording, questionnaire_wording

BODY_PT, LARGE_BODY_PT = 11, 16


def _choices(question: Question, language: str) -> list[tuple[int, str, bool]]:
    """(number to type, label in ``language``, asks to describe), as printed on the form."""
    printed = option_numbers(question)
    if question.kind_enum == QuestionKind.YES_NO_UNSURE:
        return [(n, gettext(label), other) for n, label, other in printed]
    labels = [o["label"] for o in paper_wording(question, language).options]
    return [(n, labels[n - 1], other) for n, _label, other in printed]


def forms_html(
    survey_round: SurveyRound, numbers: list[int], *, large_print: bool, language: str = DEFAULT
) -> str:
    questionnaire = survey_round.questionnaire
    with speaking(language) as spoken:
        return render_pdf_html(
            "surveys/paper/form_pdf.html",
            get_settings(),
            survey_round=survey_round,
            language=spoken,
            font_stack=FONT_STACK,
            questionnaire=questionnaire_wording(questionnaire, spoken.code),
            questions=[(q, paper_wording(q, spoken.code)) for q in survey_round.questions],
            serials=[serial_text(survey_round, n) for n in numbers],
            body_pt=LARGE_BODY_PT if large_print else BODY_PT,
            large_print=large_print,
            choices=lambda q: _choices(q, spoken.code),
            has_other=has_other,
            lines=lines,
            picture_data_uri=picture_data_uri,
        )


def forms_pdf(
    survey_round: SurveyRound,
    numbers: list[int],
    *,
    large_print: bool = False,
    language: str = DEFAULT,
) -> bytes:
    """One PDF holding a form for each serial number, each starting on a new page."""
    html = forms_html(survey_round, numbers, large_print=large_print, language=language)
    return html_to_pdf(html)
