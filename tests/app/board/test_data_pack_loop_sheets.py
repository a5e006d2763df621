"""The XLSX data pack's outcomes, self-assessment and plan milestone sheets (issue 23), made
from the fictional demo: their figures match counts taken here from the rows, and a hidden
outcome count stays hidden in the spreadsheet as on the page."""

from __future__ import annotations

import io
from collections import Counter

import openpyxl
import pytest

from app.board import pack, services
from app.core.clock import today
from app.core.extensions import db
from surveys.models import SurveyRound
from surveys.services import round_by_slug
from tests.app.board.conftest import make_round
from tests.app.board.independent import milestone_counts, outcome_shares, section_scores
from tests.app.board.outcomes.helpers import store

COLOURS = {"Red": "red", "Amber": "amber", "Green": "green", "Complete": "blue"}


def _book(board) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(pack.data_pack(board)))


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_demo_data_pack_has_outcomes_assessments_and_milestones(demo):
    with demo.test_request_context():
        book = _book(services.dashboard(round_by_slug("nb2026")))
        plan = milestone_counts(today())
        shares = outcome_shares(2026)
        staff = section_scores("Autumn (fictional demo)", "staff", "baker-dixon")

    milestones = _rows(book["Plan milestones"])
    assert milestones[0] == ["Milestone", "Owner", "Due", "Status", "Linked actions", "Rating"]
    seen = Counter(COLOURS[row[5].split(":")[0]] for row in milestones[1:])
    assert {c: seen[c] for c in plan} == dict(plan)

    targets = {row[0]: row[1:] for row in _rows(book["Outcomes vs targets"])[3:]}
    eet = targets["In education, employment or training: all aged 17 to 21"]
    assert eet[0] == pytest.approx(shares["eet"] / 100) and eet[1] == pytest.approx(0.6)
    assert any("Care leavers' outcomes" in str(r[0]) for r in _rows(book["Outcomes"])[:1])

    by_section = next(
        book[name] for name in book.sheetnames if name.startswith("SA Baker and Dixon staff")
    )
    rows = {row[0]: row[1] for row in _rows(by_section)[3:]}
    for title, score in staff.items():
        assert rows[title] == pytest.approx(round(score, 1)), title


def test_a_hidden_outcome_count_stays_hidden_in_the_spreadsheet(app):
    store(app, {2026: {"17-18": (40, 38, 3, 30), "19-21": (80, 70, 50, 70)}})
    round_id = make_round(app, {"web": 30, "paper": 10})
    with app.test_request_context():
        book = _book(services.dashboard(db.session.get(SurveyRound, round_id)))
    trend = next(book[n] for n in book.sheetnames if n.startswith("Outcomes In education"))
    row = next(r for r in _rows(trend) if str(r[0]).endswith("2026"))
    assert row[1] == "fewer than 5"
    assert 3 not in row
