"""Paper forms in other languages: the right-to-left test language in Arabic script, with fonts
that have its letters (pdftotext reads Arabic back, pdffonts lists an embedded Arabic font), the
document language and direction, and help wording English while the language is unchecked."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from app.core.catalogues import ARABIC_TAG
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from surveys.paper.pdf import forms_html, forms_pdf
from tests.surveys.conftest import make_open_round

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdffonts"), reason="poppler-utils"
)


@pytest.fixture
def round_id(app):
    return make_open_round(app)


def _pdf(app, round_id, **kwargs) -> bytes:
    with app.test_request_context():
        return forms_pdf(db.session.get(SurveyRound, round_id), [1], **kwargs)


def test_the_form_in_the_rtl_test_language_is_right_to_left_with_english_help(app, round_id):
    with app.test_request_context():
        html = forms_html(
            db.session.get(SurveyRound, round_id), [1], large_print=False, language="ar-XB"
        )
    assert '<html lang="ar-XB" dir="rtl">' in html
    assert ARABIC_TAG in html  # the questions and fixed wording, from the translation data
    assert "Which is most like you now?" not in html
    # ar-XB is not checked by a translator: help wording stays English
    assert "If you need help now" in html
    assert "Samaritans: 116 123, free, any time" in html


@needs_poppler
@pytest.mark.parametrize("large_print", [False, True])
def test_an_arabic_script_form_renders_with_an_embedded_arabic_font(
    app, round_id, tmp_path, large_print
):
    data = _pdf(app, round_id, large_print=large_print, language="ar-XB")
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ARABIC_TAG in text  # Arabic letters come back out, not boxes
    assert "\ufffd" not in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    arabic = [line for line in fonts.splitlines() if "Arabic" in line or "DejaVu" in line]
    assert arabic, fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # all embedded
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "ar-XB"
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True


def test_english_stays_the_default_and_unchanged(app, round_id):
    with app.test_request_context():
        html = forms_html(db.session.get(SurveyRound, round_id), [1], large_print=False)
    assert '<html lang="en" dir="ltr">' in html
    assert "Tick a box or write on the lines." in html
    assert ARABIC_TAG not in html


def test_staff_choose_the_language_when_printing(app, round_id, logged_in_as):
    client = logged_in_as(Role.DATA_ENTRY)
    page = client.get(f"/staff/paper/rounds/{round_id}/print").text
    assert 'value="ar-XB"' in page and "Language of the form" in page
    response = client.post(
        f"/staff/paper/rounds/{round_id}/print",
        data={"count": "1", "language": "ar-XB"},
    )
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "application/pdf"
    assert "ar-XB" in response.headers["Content-Disposition"]
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert str(pdf.Root.Lang) == "ar-XB"
