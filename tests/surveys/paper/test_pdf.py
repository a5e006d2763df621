"""The printable paper form: every question is in the PDF, the serial is on every page, and the
large-print version uses 16 point or bigger."""

from __future__ import annotations

import io
import re
import time

from pypdf import PdfReader

from app.core.extensions import db
from surveys.models import SurveyRound
from surveys.paper import pdf
from surveys.paper.services import allocate_serials


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _render(app, round_id: int, count: int, large_print: bool):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        numbers = allocate_serials(survey_round, count)
        questions = [
            (q.code, q.paper_text or q.web_text) for q in survey_round.questionnaire.questions
        ]
        started = time.perf_counter()
        body = pdf.forms_pdf(survey_round, numbers, large_print=large_print)
        took = time.perf_counter() - started
    return PdfReader(io.BytesIO(body)), questions, took


def test_the_paper_form_has_every_question_and_a_serial_on_every_page(app, unprinted_round_id):
    reader, questions, took = _render(app, unprinted_round_id, 2, large_print=False)
    pages = [_words(page.extract_text()) for page in reader.pages]
    print(f"\n2 forms, {len(pages)} pages in {took:.2f} s")
    first_form = " ".join(p for p in pages if "TEST26-0001" in p)
    for code, text in questions:
        assert _words(text) in first_form, code
    for page in pages:
        assert re.search(r"Form TEST26-000[12]", page), page[:200]
    assert any("TEST26-0002" in p for p in pages)
    assert "Samaritans" in first_form and "0300 123 4567" not in first_form  # no duty phone set
    assert reader.pages[0].mediabox.width == pytest_approx(595)  # A4 in points


def pytest_approx(value):
    import pytest

    return pytest.approx(value, abs=1)


def _font_sizes(reader) -> list[float]:
    sizes = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            # The size on the page: the font size scaled by the text and current matrices.
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.append(round(font_size * scale, 1))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_the_large_print_form_uses_16_point_or_bigger(app, unprinted_round_id):
    reader, questions, _ = _render(app, unprinted_round_id, 1, large_print=True)
    sizes = _font_sizes(reader)
    assert sizes and min(sizes) >= 16, sorted(set(sizes))
    text = _words(" ".join(p.extract_text() for p in reader.pages))
    for code, wording in questions:
        assert _words(wording) in text, code


def test_the_standard_form_is_smaller_print(app, unprinted_round_id):
    reader, _, _ = _render(app, unprinted_round_id, 1, large_print=False)
    assert min(_font_sizes(reader)) < 16
