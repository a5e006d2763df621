"""The round's well-being results for staff, and the board's XLSX sheet: the same protected
figures the board's dashboard shows (issue 24)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.board import pack, services
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from tests.app.board.conftest import make_round
from tests.app.board.test_wellbeing import ANXIETY, LIFE, SOURCE, _add_references, _with_wellbeing


def test_the_round_page_links_to_its_wellbeing_results(app, logged_in_as):
    round_id = make_round(app, {"web": 40})
    _with_wellbeing(app, round_id, {"ONS1": LIFE, "ONS4": ANXIETY})
    _add_references(app, {"ONS1:mean": 7.4})
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_page = client.get(f"/staff/rounds/{round_id}").text
    assert f'href="/staff/rounds/{round_id}/wellbeing"' in round_page
    page = client.get(f"/staff/rounds/{round_id}/wellbeing").text
    assert "<h1" in page and "Personal well-being (ONS4): Board test round 2026" in page
    assert "Average life satisfaction was 5.8 out of 10, against 7.4" in page
    assert 'id="wellbeing-bands"' in page and "Low (0 to 4)" in page
    assert f"Compared with: {SOURCE}." in page

    # A round without the module has no such page, nor a link to one.
    other = make_round(app, {"web": 20}, slug="plain26", name="Without the module")
    assert "/wellbeing" not in client.get(f"/staff/rounds/{other}").text
    assert client.get(f"/staff/rounds/{other}/wellbeing").status_code == 404


def test_the_results_page_hides_what_the_board_hides(app, logged_in_as):
    round_id = make_round(app, {"web": 30})
    life = [3] + [6] * 9 + [8] * 10 + [9] * 10  # one low score: hidden, with a second band
    _with_wellbeing(app, round_id, {"ONS1": life})
    page = logged_in_as(Role.ADMIN).get(f"/staff/rounds/{round_id}/wellbeing").text
    row = page.split("Life satisfaction: Low (0 to 4)</th>")[1].split("</tr>")[0]
    assert "fewer than 5" in row and ">1<" not in row


def test_the_xlsx_data_pack_has_a_wellbeing_sheet_with_the_boards_figures(app):
    round_id = make_round(app, {"web": 40})
    _with_wellbeing(app, round_id, {"ONS1": LIFE, "ONS2": LIFE, "ONS3": LIFE, "ONS4": ANXIETY})
    _add_references(app, {"ONS1:mean": 7.4, "ONS1:low": 5})
    with app.test_request_context():
        board = services.dashboard(db.session.get(SurveyRound, round_id))
        book = load_workbook(io.BytesIO(pack.data_pack(board)))
    sheet = book["Personal well-being"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["Life satisfaction"][:2] == (5.8, 7.4)  # the board's average, as a number
    assert rows["Life satisfaction: Low (0 to 4)"][:3] == (10, 0.25, 0.05)
    assert rows["Anxiety: answered"][0] == 40
    assert f"Compared with: {SOURCE}." in rows

    # Without the module, no such sheet.
    other = make_round(app, {"web": 20}, slug="plain26", name="Without the module")
    with app.test_request_context():
        board = services.dashboard(db.session.get(SurveyRound, other))
        assert "Personal well-being" not in load_workbook(io.BytesIO(pack.data_pack(board)))
