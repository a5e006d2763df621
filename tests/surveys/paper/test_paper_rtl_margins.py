"""A right-to-left paper form mirrors its page's margin boxes: the authority's name at the top
right and the page number at the bottom left (English: the other way round)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from app.core.extensions import db
from app.staff.authority.services import get_settings
from surveys.models import SurveyRound
from surveys.paper.pdf import forms_pdf
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils")

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>'
)


def _margin_words(app, tmp_path, language: str) -> tuple[float, dict[str, float], list[float]]:
    """(page width, x of each word in the top margin, x of a "1" in the bottom margin: the
    page number, since the help line's numbers are 116 123 and 999)."""
    round_id = make_open_round(app)
    with app.test_request_context():
        data = forms_pdf(db.session.get(SurveyRound, round_id), [1], language=language)
    path = tmp_path / f"{language}.pdf"
    path.write_bytes(data)
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', xml)
    assert page
    width, height = float(page.group(1)), float(page.group(2))
    words = [(float(x), float(y), w) for x, y, w in WORD.findall(xml)]
    top = {w: x for x, y, w in words if y < 22 * 72 / 25.4}  # within the 22 mm top margin
    bottom = [x for x, y, w in words if y > height - 18 * 72 / 25.4 and w == "1"]
    return width, top, bottom


@pytest.mark.parametrize(("language", "rtl"), [("en", False), ("ar-XB", True)])
def test_the_margin_boxes_are_mirrored_right_to_left(app, tmp_path, language, rtl):
    with app.app_context():
        name = get_settings().name.split()[0]
    width, top, page_numbers = _margin_words(app, tmp_path, language)
    assert name in top, top
    assert (top[name] > width / 2) is rtl  # the authority's name starts on the reading side
    assert page_numbers, "no page number in the bottom margin"
    assert (page_numbers[0] < width / 2) is rtl  # the page number at the far end
