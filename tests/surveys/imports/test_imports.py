"""Imports: the export round trip, mapping, row-level checks, all-or-nothing, bad files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.imports import services as imports
from surveys.imports.models import ImportMapping, ImportUpload
from surveys.models import Answer, Response, SurveyRound
from surveys.rounds.services import ResponseFilter, export_csv, export_table, export_xlsx_file
from tests.surveys.rounds.helpers import add_response, make_round

NASTY = '=HYPERLINK("http://evil.example","x")'


def _fill(survey_round: SurveyRound) -> None:
    add_response(
        survey_round,
        "web",
        {
            "Q1": {"age": 19},
            "Q2": {"choice": "6", "other": "@SUM(A1) with my nan"},
            "Q3": {"choice": "2"},
            "Q4": {"items": [NASTY, "-2 quid", "My PA"]},
            "Q5": None,
            "Q6": {"items": ["+ budgeting"]},
            "Q7": {"text": "- be yourself\n- ask for help"},
            "Q11": {"choice": "not_sure"},
            "Q12": None,
        },
    )
    add_response(
        survey_round,
        "paper",
        {
            "Q1": {"age": 22},
            "Q2": {"choice": "5"},
            "Q3": None,
            "Q4": {"items": ["Space"]},
            "Q5": {"items": ["Bills"]},
            "Q6": None,
            "Q7": {"text": "Save"},
            "Q11": {"choice": "yes"},
            "Q12": {"text": "Thanks"},
        },
    )


def _answers(survey_round: SurveyRound) -> list[list]:
    """Each response's answer columns, as the export shows them (ids and channel left out)."""
    table = export_table(survey_round, ResponseFilter())
    keep = [i for i, c in enumerate(table.columns) if c.question is not None]
    # Sorted: exports come in key order, which is random (the rows' order says nothing).
    return sorted(([row[i] for i in keep] for row in table.rows), key=repr)


def test_an_xlsx_export_has_no_formula_cells(app):
    with app.app_context():
        r = make_round()
        _fill(r)
        book = openpyxl.load_workbook(export_xlsx_file(r, ResponseFilter()))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_reimporting_an_export_reproduces_the_same_answers(app, kind):
    with app.app_context():
        source = make_round(name="Source")
        _fill(source)
        if kind == "xlsx":
            body = export_xlsx_file(source, ResponseFilter()).read()
        else:
            body = b"".join(export_csv(source, ResponseFilter()))
        target = make_round(name="Earlier year, imported")
        upload = imports.start_upload(target, f"export.{kind}", body)
        by_key = {header.split(":")[0]: target for header, target in upload.columns.items()}
        assert by_key["Q2_other"] == "Q2_other" and by_key["Q4_3"] == "Q4_3"
        assert by_key["Q2 code"] == ""  # the code column repeats the label: not imported
        assert imports.unknown_values(upload, target) == {}
        preview = imports.check_rows(upload, target)
        assert preview.errors == [] and len(preview.valid) == 2
        result = imports.import_rows(upload, target, valid_only=False)
        assert result.imported == 2
        assert _answers(target) == _answers(source)
        channels = db.session.scalars(
            sa.select(Response.channel).where(Response.round_id == target.id)
        ).all()
        assert channels == ["import", "import"]
        stored = db.session.scalars(
            sa.select(Answer.value).join(Response).where(Response.round_id == target.id)
        ).all()
        assert {"items": [NASTY, "-2 quid", "My PA"]} in stored  # the words, not the apostrophe
        assert db.session.scalar(sa.select(sa.func.count(ImportUpload.id))) == 0


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_unknown_answers_are_mapped_once_and_remembered(app):
    with app.app_context():
        r = make_round()
        body = _csv([["Age", "Gender", "Forum?"], ["19", "F", "Y"], ["20", "Man", "maybe"]])
        upload = imports.start_upload(r, "other-tool.csv", body)
        assert upload.columns == {"Age": "", "Gender": "", "Forum?": ""}
        columns = {"Age": "Q1", "Gender": "Q3", "Forum?": "Q11"}
        imports.save_mapping(upload, r, columns, {})
        assert imports.unknown_values(upload, r) == {"Gender": ["F", "Man"], "Forum?": ["maybe"]}
        preview = imports.check_rows(upload, r)
        assert "Row 2, column Gender: 'F' is not one of the answers to Q3" in preview.errors[0]
        values = {"Gender": {"F": "2", "Man": "1"}, "Forum?": {"maybe": "not_sure"}}
        imports.save_mapping(upload, r, columns, values)
        assert imports.check_rows(upload, r).errors == []
        # Next year's file from the same tool is mapped already.
        again = imports.start_upload(r, "other-tool-2027.csv", body)
        assert again.columns == columns and again.values == values
        assert db.session.scalar(sa.select(sa.func.count(ImportMapping.id))) == 1


def test_a_file_with_bad_rows_is_all_or_nothing_unless_valid_rows_only(app):
    with app.app_context():
        r = make_round()
        body = _csv(
            [
                ["Q1", "Q3", "Q11"],
                ["19", "Female", "Yes"],
                ["abc", "Female", "Yes"],
                ["", "", ""],
                ["20", "Alien", "No"],
                ["", "Skipped", ""],
            ]
        )
        upload = imports.start_upload(r, "mixed.csv", body)
        preview = imports.check_rows(upload, r)
        assert preview.error_rows == 3 and len(preview.valid) == 1
        assert any(e.startswith("Row 3, column Q1:") for e in preview.errors)
        assert any(e.startswith("Row 5, column Q3: 'Alien'") for e in preview.errors)
        assert "Row 6, every answer is blank or skipped" in preview.errors
        with pytest.raises(imports.ImportInvalid, match="3 rows have problems"):
            imports.import_rows(upload, r, valid_only=False)
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        assert imports.import_rows(upload, r, valid_only=True).imported == 1


def _xlsx(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bad_files_get_clear_messages(app):
    def merged(book):
        sheet = book.active
        sheet.append(["Q1", "Q3"])
        sheet.append(["19", "Male"])
        sheet.append(["", "Female"])
        sheet.merge_cells("A2:A3")

    def extra_sheets(book):
        book.active.title = "Data"
        book.create_sheet("Notes")

    cases = [
        ("answers.pdf", b"%PDF", "must be a CSV or an Excel workbook"),
        ("empty.csv", b"", "The file is empty"),
        ("broken.xlsx", b"not a zip", "cannot be opened as an Excel workbook"),
        ("merged.xlsx", _xlsx(merged), "Some cells are merged (A2:A3)"),
        ("sheets.xlsx", _xlsx(extra_sheets), "2 sheets ('Data', 'Notes')"),
        ("dupes.csv", _csv([["Q1", "q1"], ["1", "2"]]), "Two columns are called 'q1'"),
        ("header.csv", _csv([["Q1"]]), "no answers under them"),
        ("huge.csv", _csv([["Q1"]] + [["19"]] * (imports.MAX_ROWS + 1)), "Import at most"),
    ]
    with app.app_context():
        r = make_round()
        for name, body, message in cases:
            with pytest.raises(
                imports.ImportInvalid, match=message.replace("(", r"\(").replace(")", r"\)")
            ):
                imports.start_upload(r, name, body)


def test_the_import_pages_take_a_file_through_to_responses(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        r = make_round()
        round_id = r.id
    body = _csv([["Q1", "Q3", "Q7"], ["19", "Female", "=cmd|' /C calc'!A0"], ["x", "", ""]])
    page = client.post(
        f"/staff/imports/rounds/{round_id}",
        data={"file": (io.BytesIO(body), "answers.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    mapping_url = page.headers["Location"]
    assert 'Column "Q3"' in client.get(mapping_url).text
    preview_url = client.post(mapping_url, data={"col-0": "Q1", "col-1": "Q3", "col-2": "Q7"})
    preview_url = preview_url.headers["Location"]
    preview = client.get(preview_url)
    assert "1 of 2 rows can be imported" in preview.text
    assert "Row 3, column Q1" in preview.text
    refused = client.post(preview_url, data={"mode": "all"}, follow_redirects=True)
    assert "nothing was imported" in refused.text
    done = client.post(preview_url, data={"mode": "valid"}, follow_redirects=True)
    assert "Imported 1 responses into" in done.text
    with app.app_context():
        assert db.session.scalar(sa.select(Response.channel)) == "import"
    assert (
        client.post(
            f"/staff/imports/rounds/{round_id}",
            data={"file": (io.BytesIO(b"x"), "answers.txt")},
            content_type="multipart/form-data",
        ).status_code
        == 400
    )


def test_importing_the_same_file_twice_adds_nothing(app):
    with app.app_context():
        source = make_round(name="Source")
        _fill(source)
        body = b"".join(export_csv(source, ResponseFilter()))
        target = make_round(name="Imported")
        first = imports.import_rows(
            imports.start_upload(target, "answers.csv", body), target, valid_only=False
        )
        assert first.imported == 2
        again = imports.start_upload(target, "answers.csv", body)
        preview = imports.check_rows(again, target)
        assert preview.valid == [] and preview.already == [2, 3]
        with pytest.raises(imports.ImportInvalid, match="already in the round"):
            imports.import_rows(again, target, valid_only=False)
        count = sa.select(sa.func.count(Response.id)).where(Response.round_id == target.id)
        assert db.session.scalar(count) == 2


def test_a_row_from_the_apps_own_export_is_recognised_not_added(app, logged_in_as):
    with app.app_context():
        survey_round = make_round(name="One round")
        _fill(survey_round)
        round_id = survey_round.id
        body = b"".join(export_csv(survey_round, ResponseFilter()))
        upload = imports.start_upload(survey_round, "export.csv", body)
        upload_id = upload.id
    client = logged_in_as(Role.ADMIN)
    page = client.get(f"/staff/imports/{upload_id}/preview").get_data(as_text=True)
    assert "2 rows are already in this round" in page
    with app.app_context():
        count = sa.select(sa.func.count(Response.id)).where(Response.round_id == round_id)
        assert db.session.scalar(count) == 2
