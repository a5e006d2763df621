"""Invitation letters: seconds per 100 letters in one mail-merged PDF of 300 (`make bench`).

Baseline in the same run: the mail merge alone (the HTML for the same 300 letters, QR codes
included), so the figure shows what WeasyPrint's layout and PDF writing add.
"""

from __future__ import annotations

import io
import time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.core.extensions import db
from app.outreach.invitations import letters
from app.outreach.invitations.models import Invitation
from surveys.models import SurveyRound
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.bench
LETTERS = 300


def test_three_hundred_letters(app):
    round_id = make_open_round(app)
    add_contacts(app, LETTERS)
    assert invite_all(app, round_id, ("letter",)).invited == LETTERS
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, round_id)
        rows = letters.letters_to_print(survey_round)
        started = time.perf_counter()
        html = letters.letters_html(survey_round, [(i, c) for i, c, _m in rows])
        merge = time.perf_counter() - started
        started = time.perf_counter()
        pdf = letters.letters_pdf(survey_round)
        total = time.perf_counter() - started
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert pages == LETTERS, pages
        assert html.count('class="letter"') == LETTERS
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == LETTERS
    per_100 = total / LETTERS * 100
    print(
        f"\nLetters: {LETTERS} letters, {pages} pages, {len(pdf) / 1e6:.1f} MB in {total:.1f} s: "
        f"{per_100:.2f} s per 100 letters (mail merge alone: {merge / LETTERS * 100:.2f} s "
        "per 100)"
    )
