"""CSV and XLSX exports of a round's answers, safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.rounds.services import spreadsheet_safe
from tests.surveys.rounds.helpers import add_response, make_round

HEADERS = [
    "response_id",
    "channel",
    "round",
    "Q1",
    "Q2",
    "Q2 code",
    "Q2_other",
    "Q3",
    "Q3 code",
    "Q4_1",
    "Q4_2",
    "Q4_3",
    "Q5_1",
    "Q5_2",
    "Q5_3",
    "Q6_1",
    "Q6_2",
    "Q6_3",
    "Q7",
    "Q11",
    "Q11 code",
    "Q12",
]


def _key(header: str) -> str:
    """A header's column key: "Q2: Where do you live?" is Q2 (the wording follows the key)."""
    return header.split(":", 1)[0]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("Paying bills", "Paying bills"),
        ("a=b", "a=b"),
        ("", ""),
        (19, 19),
        (None, None),
    ],
)
def test_spreadsheet_safe_neutralises_formulas_and_leaves_the_rest(cell, expected):
    assert spreadsheet_safe(cell) == expected


@pytest.fixture
def exported_round(app):
    """A round with one ordinary response and one full of formula-like answers."""
    with app.app_context():
        survey_round = make_round()
        ordinary = add_response(
            survey_round,
            "paper",
            {
                "Q1": {"age": 19},
                "Q2": {"choice": "6", "other": "Living with my nan"},
                "Q3": None,
                "Q4": {"items": ["My own space", "Cooking", "Friends"]},
                "Q11": {"choice": "not_sure"},
                "Q12": {"text": "More drop-ins please"},
            },
        )
        hostile = add_response(
            survey_round,
            "web",
            {
                "Q2": {"choice": "6", "other": "\rx"},
                "Q4": {"items": ["=1+1", "+44", "-2"]},
                "Q5": {"items": ["@SUM", "\tx"]},
                "Q7": {"text": "=1+1"},
            },
        )
        add_response(survey_round, "sms", {"Q1": {"age": 20}}, complete=False)
        return survey_round.id, ordinary, hostile


def _row(rows: list[list], response_id: int) -> dict:
    header = [_key(h) for h in rows[0]]
    row = next(r for r in rows[1:] if r[0] in (response_id, str(response_id)))
    return dict(zip(header, row, strict=True))


def _check_answers(rows: list[list], ordinary: int, hostile: int) -> None:
    assert [_key(h) for h in rows[0]] == HEADERS
    assert "Q4_2: What are the best 3 things about leaving care? (item 2)" in rows[0]
    assert len(rows) == 3  # complete responses only, by default
    first = _row(rows, ordinary)
    assert first["channel"] == "paper"
    assert first["round"] == "Test round"  # the round, never a date
    assert str(first["Q1"]) == "19"
    assert first["Q2"] == "Other"
    assert str(first["Q2 code"]) == "6"
    assert first["Q2_other"] == "Living with my nan"
    assert first["Q3"] in ("", None) and first["Q3 code"] in ("", None)  # skipped: blank
    assert [first["Q4_1"], first["Q4_2"], first["Q4_3"]] == ["My own space", "Cooking", "Friends"]
    assert first["Q11"] == "Not sure" and first["Q11 code"] == "not_sure"
    assert first["Q12"] == "More drop-ins please"
    assert first["Q7"] in ("", None)  # not answered
    bad = _row(rows, hostile)
    assert [bad["Q4_1"], bad["Q4_2"], bad["Q4_3"]] == ["'=1+1", "'+44", "'-2"]
    assert [bad["Q5_1"], bad["Q5_2"]] == ["'@SUM", "'\tx"]
    # XML (so XLSX) reads a stored carriage return back as a new line; the apostrophe stays.
    assert bad["Q2_other"] in ("'\rx", "'\nx")
    assert bad["Q7"] == "'=1+1"


def _export_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "responses.export"))
        )


def test_the_csv_export_has_one_row_per_response_and_no_formulas(app, logged_in_as, exported_round):
    round_id, ordinary, hostile = exported_round
    client = logged_in_as(Role.PARTICIPATION_WORKER)

    response = client.get(f"/staff/rounds/{round_id}/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    _check_answers(rows, ordinary, hostile)
    events = _export_events(app)
    assert len(events) == 1
    assert events[0].detail.startswith("csv, 2 responses")
    assert events[0].actor_label == "participation_worker@example.org"


def test_the_xlsx_export_has_the_answers_a_data_dictionary_and_no_formulas(
    app, logged_in_as, exported_round
):
    round_id, ordinary, hostile = exported_round
    client = logged_in_as(Role.ADMIN)

    response = client.get(f"/staff/rounds/{round_id}/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Responses", "Data dictionary"]
    sheet = book["Responses"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    _check_answers(rows, ordinary, hostile)
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)

    dictionary = [list(r) for r in book["Data dictionary"].iter_rows(values_only=True)]
    assert dictionary[0][:5] == ["Column", "Question code", "Wording", "Kind", "Options"]
    by_column = {_key(r[0] or ""): r for r in dictionary[1:]}
    assert by_column["Q4_2"][1:4] == [
        "Q4",
        "What are the best 3 things about leaving care?",
        "short_items",
    ]
    assert "6 = Other (describe)" in by_column["Q2"][4]
    assert by_column["Q11"][4] == "Yes; No; Not sure"
    assert _export_events(app)[0].detail.startswith("xlsx, 2 responses")


def test_exports_follow_the_table_filters(app, logged_in_as, exported_round):
    round_id, _, _ = exported_round
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    response = client.get(f"/staff/rounds/{round_id}/export.csv?status=in_progress")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2
    assert rows[1][1] == "sms" and rows[1][2] == "Test round"
    assert "status=in_progress" in _export_events(app)[0].detail


def test_xlsx_numbers_are_numbers_and_no_answer_is_blank(app, logged_in_as, exported_round):
    """An analyst can sum and sort at once: ages and codes are numeric cells, not text."""
    round_id, ordinary, _ = exported_round
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/staff/rounds/{round_id}/export.xlsx").data)
    )
    sheet = book["Responses"]
    keys = [_key(c.value) for c in sheet[1]]
    line = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == ordinary)
    cells = dict(zip(keys, line, strict=True))
    assert (cells["Q1"].value, cells["Q1"].data_type) == (19, "n")
    assert (cells["Q2 code"].value, cells["Q2 code"].data_type) == (6, "n")
    assert cells["Q2"].data_type == "s"
    assert cells["Q3"].value is None and cells["Q7"].value is None
    assert "Skipped" not in [c.value for row in sheet.iter_rows() for c in row]
