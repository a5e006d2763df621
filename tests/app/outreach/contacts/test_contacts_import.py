"""Importing contacts: 1,000 rows with 50 broken ones, re-importing, and every kind of bad file."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.extensions import db
from app.outreach.contacts import importing
from app.outreach.contacts.models import Contact
from tests.app.outreach.contacts.conftest import HEADERS, good_row, to_csv

BROKEN_KINDS = [
    ("bad phone", lambda row, rows: row.__setitem__(3, "12345"), "is not a mobile number"),
    ("impossible date", lambda row, rows: row.__setitem__(2, "31/02/2004"), "is not a real date"),
    ("bad email", lambda row, rows: row.__setitem__(4, "testy@@example"), "not an email address"),
    (
        "missing name",
        lambda row, rows: (row.__setitem__(0, ""), row.__setitem__(1, "")),
        "the name is missing",
    ),
    (
        "duplicate",
        lambda row, rows: row.__setitem__(slice(None), rows[-1]),
        "the same person as row",
    ),
    (
        "formula",
        lambda row, rows: row.__setitem__(0, '=HYPERLINK("http://evil.example","x")'),
        "holds a spreadsheet formula",
    ),
    (
        "someone else's number",
        lambda row, rows: row.__setitem__(3, "07700 900 123 (mum's)"),
        "has words in it",
    ),
]


def thousand_rows():
    """1,000 rows; every 20th (from the 8th) is broken in one of seven ways: 50 in all."""
    rows, broken = [], {}
    for k in range(1000):
        row = good_row(k)
        if k % 20 == 7:
            kind, breaker, reason = BROKEN_KINDS[len(broken) % len(BROKEN_KINDS)]
            breaker(row, rows)
            broken[k + 2] = (kind, reason)  # the file's row number: the header is row 1
        rows.append(row)
    return rows, broken


def _import(app, data: bytes, filename="contacts.csv"):
    with app.app_context():
        upload = importing.start_upload(filename, data)
        importing.save_mapping(upload, upload.columns)
        preview = importing.check_rows(upload)
        result = importing.import_rows(upload)
        return preview, result


# A bad optional cell costs that cell (a warning), not the person; only a row without a name,
# a repeat or a formula in the name is left out.
REFUSED = {"missing name", "duplicate", "formula"}


def test_a_thousand_rows_with_fifty_broken_ones(app):
    rows, broken = thousand_rows()
    assert len(broken) == 50
    refused = {n: v for n, v in broken.items() if v[0] in REFUSED}
    warned = {n: v for n, v in broken.items() if v[0] not in REFUSED}
    preview, result = _import(app, to_csv(rows))
    assert result.added == 1000 - len(refused)
    assert result.problems == len(refused)
    reported = {r.number: r.reason for r in preview.problems}
    assert set(reported) == set(refused), "each row left out is reported by its row number"
    for number, (kind, reason) in refused.items():
        assert reason in reported[number], f"row {number} ({kind}): {reported[number]}"
    warnings = {r.number: " ".join(r.warnings) for r in preview.warned}
    for number, (kind, reason) in warned.items():
        assert reason in warnings[number], f"row {number} ({kind}): {warnings.get(number)}"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1000 - len(refused)
        row9 = db.session.scalar(sa.select(Contact).where(Contact.mobile == "+447700900009"))
        assert row9.name == "Testy9 Example9"
        assert row9.address == "9 Fiction Street\nNorthbridge"
        assert row9.legal_status == "relevant" and row9.team == "North"

    _again, second = _import(app, to_csv(rows))
    assert (second.added, second.updated) == (0, 0), "re-importing the same file adds nothing"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1000 - len(refused)


def test_the_mapping_is_remembered_for_the_next_file(app):
    with app.app_context():
        upload = importing.start_upload("a.csv", to_csv([good_row(1)], HEADERS))
        columns = dict(upload.columns) | {"PA": ""}  # a choice the worker made
        importing.save_mapping(upload, columns)
        again = importing.start_upload("b.csv", to_csv([good_row(2)], HEADERS))
        assert again.columns["PA"] == ""
        assert again.columns["Mobile Number"] == "mobile"


def test_a_file_updates_people_already_on_the_list_and_never_clears_do_not_contact(app):
    _import(app, to_csv([good_row(1)]))
    with app.app_context():
        contact = db.session.scalar(sa.select(Contact))
        contact.do_not_contact = True
        db.session.commit()
    changed = good_row(1)
    changed[8] = "East"
    _preview, result = _import(app, to_csv([changed]))
    assert (result.added, result.updated) == (0, 1)
    with app.app_context():
        contact = db.session.scalar(sa.select(Contact))
        assert contact.team == "East" and contact.do_not_contact


def test_mobile_numbers_are_normalised_to_e164(app):
    row = good_row(5)
    row[3] = "+44 (0)7700 900005"
    _import(app, to_csv([row]))
    with app.app_context():
        assert db.session.scalar(sa.select(Contact.mobile)) == "+447700900005"


def test_landlines_are_refused_as_mobiles(app):
    row = good_row(5)
    row[3] = "020 7946 0000"
    preview, result = _import(app, to_csv([row, good_row(6)]))
    assert result.added == 2, "the person goes in, without the landline"
    assert "Mobile number left blank" in preview.warned[0].warnings[0]
    assert "is not a mobile number" in preview.warned[0].warnings[0]
    with app.app_context():
        kept = db.session.scalar(sa.select(Contact).where(Contact.name == "Testy5 Example5"))
        assert kept.mobile is None and kept.email == "person5@example.org"


# --- Bad files: each gets a precise message, and nothing is half-imported -----------------------


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("contacts.pdf", b"%PDF-1.4 ...", "must be a CSV or an Excel workbook"),
        ("contacts.csv", b"", "The file is empty"),
        ("contacts.csv", b"Name,Mobile\n", "no details under them"),
        ("contacts.xlsx", b"PK\x03\x04 not really a workbook", "cannot be opened as an Excel"),
        ("contacts.csv", b"\x00\x01\x02\x00binary", "does not look like a CSV file"),
    ],
)
def test_files_that_cannot_be_read_get_a_precise_message(app, filename, data, message):
    with app.app_context():
        with pytest.raises(importing.ImportInvalid, match=message):
            importing.start_upload(filename, data)
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_utf8_with_bom_and_windows_1252_are_both_read(app):
    row = good_row(3)
    row[0] = "Zoë"
    bom = b"\xef\xbb\xbf" + to_csv([row])
    _preview, result = _import(app, bom)
    assert result.added == 1
    with app.app_context():
        assert db.session.scalar(sa.select(Contact.name)) == "Zoë Example3"
    row = good_row(4)
    row[0] = "Siân"
    _preview, result = _import(app, to_csv([row], encoding="cp1252"))
    assert result.added == 1
    with app.app_context():
        assert "Siân Example4" in set(db.session.scalars(sa.select(Contact.name)))


def test_missing_columns_are_named(app):
    with app.app_context():
        upload = importing.start_upload("x.csv", to_csv([["07700 900001"]], ["Mobile"]))
        with pytest.raises(importing.ImportInvalid, match="Full name"):
            importing.save_mapping(upload, upload.columns)
        upload = importing.start_upload("y.csv", to_csv([["Jo Bloggs"]], ["Name"]))
        with pytest.raises(importing.ImportInvalid, match="at least one way to reach"):
            importing.save_mapping(upload, upload.columns)


def test_formula_cells_in_a_workbook_are_refused_row_by_row(app):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(good_row(1))
    formula = good_row(2)
    formula[0] = '=CONCAT("Te","sty")'
    sheet.append(formula)
    buffer = io.BytesIO()
    book.save(buffer)
    preview, result = _import(app, buffer.getvalue(), "contacts.xlsx")
    assert result.added == 1
    assert preview.problems[0].number == 3
    assert "formula" in preview.problems[0].reason


def test_a_fifty_megabyte_file_is_refused_before_it_is_read(app, logged_in_as):
    from app.staff.auth.models import Role

    client = logged_in_as(Role.PARTICIPATION_WORKER)
    big = b"Name,Mobile\n" + b"x" * (50 * 1024 * 1024)
    response = client.post(
        "/staff/contacts/import",
        data={"file": (io.BytesIO(big), "contacts.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too big" in response.text
