"""Small numbers: primary and secondary suppression reach the chart, the table, the XLSX and
the PDF, all through app.core.disclosure."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from app.board import pack, services
from app.core.charts import svg_bytes
from app.core.disclosure import HIDDEN, certainly_largest
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Response, SurveyRound
from tests.app.board.conftest import make_round

# Online 40, text 3 (fewer than 5), paper 8 (would give the 3 away: hidden), phone 11.
CHANNELS = {"web": 40, "sms": 3, "paper": 8, "phone": 11}


def _dashboard(app, round_id):
    survey_round = db.session.get(SurveyRound, round_id)
    return services.dashboard(survey_round)


def test_channel_table_and_chart_hide_the_small_cell_and_the_one_that_gives_it_away(app):
    round_id = make_round(app, CHANNELS)
    with app.test_request_context():
        board = _dashboard(app, round_id)
        chart = board.response_charts[0]
        rows = {row[0]: row[1] for row in chart.table.rows}
        assert rows["Online"] == 40 and rows["Phone interview"] == 11
        assert rows["Text message"] == "fewer than 5"
        assert rows["Paper"] == HIDDEN
        svg = svg_bytes(chart.svg).decode()
        assert "fewer than 5" in svg and HIDDEN in svg
        assert not re.search(r">\s*8 \(", svg), "the hidden count is drawn"
        assert "Paper: hidden" in chart.alt and "Text message: fewer than 5" in chart.alt


def test_page_xlsx_and_pdf_show_the_same_suppressed_cells(app, logged_in_as):
    round_id = make_round(app, CHANNELS)
    client = logged_in_as(Role.BOARD_MEMBER)
    page = client.get(f"/board?round={round_id}").text
    assert re.search(r"Text message</th>\s*<td[^>]*>fewer than 5</td>", page)
    assert re.search(rf"Paper</th>\s*<td[^>]*>{HIDDEN}</td>", page)
    assert "Key:" in page and "5 or more people" in page

    with app.test_request_context():
        board = _dashboard(app, round_id)
        book = load_workbook(io.BytesIO(pack.data_pack(board)))
        sheet = book["How care leavers answered"]
        cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
        assert cells["Text message"] == "fewer than 5"
        assert cells["Paper"] == HIDDEN
        assert cells["Online"] == 40

        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        done = pack.build_pack(job.id)
        assert done.status == "done"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(done.pdf)).pages)
        assert re.search(r"Text message\s+fewer than 5\s+fewer than 5", text)
        assert re.search(r"Paper\s+hidden", text)
        assert not re.search(r"Paper\s+8\b", text)


def test_a_band_with_too_few_people_is_not_offered_and_has_no_page(app, logged_in_as):
    # 12 people: ages 17 (3 people) and 19 (9 people). The 3 are "fewer than 5": that band is
    # not offered as a filter, and neither its address nor "Not known" reaches a page.
    round_id = make_round(app, {"web": 12}, ages=[17, 19, 19, 19])
    with app.test_request_context():
        analysis = services.analyse(db.session.get(SurveyRound, round_id))
        assert analysis.channels.column_total("16 to 17") == "fewer than 5"
        offered = services.offered_bands(analysis)
    assert "16 to 17" not in offered
    client = logged_in_as(Role.BOARD_MEMBER)
    page = client.get(f"/board?round={round_id}").text
    assert '<option value="16 to 17"' not in page
    for band in ["16 to 17", "Not known"]:
        assert client.get(f"/board?round={round_id}&band={band}").status_code == 404
    for band in offered:
        shown = client.get(f"/board?round={round_id}&band={band}").text
        assert "Fewer than 5 care leavers answered" not in shown


def test_a_takeaway_never_names_an_answer_a_hidden_one_could_beat(app):
    round_id = make_round(app, {"web": 9, "sms": 3, "paper": 8, "phone": 6})
    with app.test_request_context():
        board = _dashboard(app, round_id)
    chart = board.response_charts[0]
    shown = [row[1] for row in chart.table.rows]
    named = any(label in chart.takeaway for label, *_ in chart.table.rows)
    biggest = max(v for v in shown if isinstance(v, int))
    assert named == certainly_largest(biggest, shown, board.headline.responses)
    if not named:
        assert "hidden to protect privacy" in chart.takeaway


def test_figures_stay_as_at_their_snapshot_until_five_more_answer(app):
    round_id = make_round(app, {"web": 40, "sms": 3, "paper": 8})
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        survey_round.status = "open"
        db.session.commit()
    with app.test_request_context():
        first = _dashboard(app, round_id).headline.responses
    make_round(app, {"web": 0}, slug="other", name="Other round 2025")  # unrelated
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        for _ in range(4):
            db.session.add(
                Response(
                    round=survey_round,
                    channel="web",
                    status="complete",
                )
            )
        db.session.commit()
    with app.test_request_context():
        assert _dashboard(app, round_id).headline.responses == first == 51
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        db.session.add(
            Response(
                round=survey_round,
                channel="web",
                status="complete",
            )
        )
        db.session.commit()
    with app.test_request_context():
        assert _dashboard(app, round_id).headline.responses == 56


def test_three_responses_hide_everything_and_say_so(app, logged_in_as):
    round_id = make_round(app, {"web": 3}, answers={"Q11": {"choice": "yes"}})
    client = logged_in_as(Role.BOARD_MEMBER)
    page = client.get(f"/board?round={round_id}").text
    assert "Fewer than 5 care leavers answered in this round" in page
    assert "every figure below is hidden" in page
    assert "<dd>fewer than 5</dd>" in page
    assert "/board/charts/" not in page.split('id="actions"')[0], "a survey chart was drawn"


def test_the_pack_xlsx_stores_counts_shares_and_changes_as_numbers(app):
    """No figure is text like '-21 or '40%': Excel can sum and chart the cells at once."""
    round_id = make_round(app, CHANNELS)
    with app.test_request_context():
        book = load_workbook(io.BytesIO(pack.data_pack(_dashboard(app, round_id))))
    figure = re.compile(r"^'?[+-]?\d[\d,]*(\.\d+)?%?$")
    for name in book.sheetnames:
        if name in ("Summary", "Quotes", "Overdue actions"):
            continue
        for row in book[name].iter_rows(min_row=2):
            for cell in row[1:]:
                if isinstance(cell.value, str):
                    assert not figure.match(cell.value), f"{name}!{cell.coordinate} {cell.value!r}"
    sheet = book["How care leavers answered"]
    shares = [c for r in sheet.iter_rows() for c in r if c.number_format == "0%"]
    assert shares and all(isinstance(c.value, float) and 0 <= c.value <= 1 for c in shares)
