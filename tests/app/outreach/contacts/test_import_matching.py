"""Contact import: a weak match never overwrites, every change is previewed field by field, a
bad optional cell is a warning, the report is kept and downloadable, re-importing adds nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from app.core.extensions import db
from app.outreach.contacts import importing
from app.outreach.contacts import services as contacts
from app.outreach.contacts.models import Contact
from app.staff.auth.models import Role
from tests.app.outreach.contacts.conftest import to_csv

HEADERS = ["Full name", "DOB", "Mobile", "Email", "Address", "Postcode", "Status", "Consent"]
BEN = [
    "Ben Fiction",
    "14/02/2004",
    "07700 900111",
    "ben@example.org",
    "1 Fiction Road",
    "NB1 2AB",
    "Relevant",
    "Yes",
]


def _import(app, rows, headers=HEADERS):
    with app.app_context():
        upload = importing.start_upload("contacts.csv", to_csv(rows, headers))
        importing.save_mapping(upload, upload.columns)
        preview = importing.check_rows(upload)
        result = importing.import_rows(upload)
        return preview, result


def _ben(app) -> Contact:
    with app.app_context():
        found = db.session.scalar(sa.select(Contact).where(Contact.name == "Ben Fiction"))
        db.session.expunge(found)
        return found


def test_another_person_with_bens_mobile_changes_nothing_and_is_shown_as_a_conflict(app):
    _import(app, [BEN])
    other = [
        "Sam Other",
        "01/01/2003",
        "07700 900111",
        "sam@example.org",
        "9 Far Lane",
        "NB9 9ZZ",
        "Qualifying",
        "Yes",
    ]
    preview, result = _import(app, [other])
    assert (result.added, result.updated) == (0, 0)
    assert preview.count("conflict") == 1
    assert "already on another contact's record" in preview.problems[0].reason
    ben = _ben(app)
    assert ben.date_of_birth == date(2004, 2, 14)
    assert (ben.email, ben.address, ben.postcode) == (
        "ben@example.org",
        "1 Fiction Road",
        "NB1 2AB",
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1


def test_every_change_to_a_record_is_previewed_field_by_field(app, logged_in_as):
    _import(app, [BEN])
    moved = [*BEN]
    moved[4], moved[5] = "2 New Street", "NB3 4CD"
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    sent = client.post(
        "/staff/contacts/import",
        data={"file": (io.BytesIO(to_csv([moved], HEADERS)), "contacts.csv")},
        content_type="multipart/form-data",
    )
    upload_id = int(sent.headers["Location"].split("/")[-2])
    with app.app_context():
        upload = importing.get_upload(upload_id)
        importing.save_mapping(upload, upload.columns)
    page = client.get(f"/staff/contacts/import/{upload_id}/preview").get_data(as_text=True)
    assert "1 to update" in page
    assert "1 Fiction Road" in page and "2 New Street" in page
    assert "NB1 2AB" in page and "NB3 4CD" in page


def test_a_different_date_of_birth_on_the_same_name_and_mobile_is_a_conflict_not_applied(app):
    _import(app, [BEN])
    changed = [*BEN]
    changed[1], changed[3] = "15/02/2004", "ben.new@example.org"
    preview, _result = _import(app, [changed])
    row = preview.rows[0]
    assert [c.field for c in row.conflicts] == ["Date of birth"]
    assert [c.field for c in row.changes] == ["Email address"]
    ben = _ben(app)
    assert ben.date_of_birth == date(2004, 2, 14), "the conflict is shown, not applied"
    assert ben.email == "ben.new@example.org"


def test_a_row_with_bad_optional_cells_goes_in_with_a_warning(app):
    rows = [
        ["Dee Two", "19/6/03", "", "dee@example.org", "", "", "FR", "Yes"],
        ["Eve Three", "25-Mar-01", "no phone", "eve@example.org", "", "", "Relevant", "Yes"],
        ["Fay Four", "someday", "07700 900222", "", "", "", "Martian", "Yes"],
    ]
    preview, result = _import(app, rows)
    assert result.added == 3 and result.problems == 0
    with app.app_context():
        people = {c.name: c for c in db.session.scalars(sa.select(Contact))}
    assert people["Dee Two"].date_of_birth == date(2003, 6, 19)
    assert people["Dee Two"].legal_status == "former_relevant"
    assert people["Eve Three"].date_of_birth == date(2001, 3, 25)
    assert people["Eve Three"].mobile is None
    assert people["Fay Four"].date_of_birth is None and people["Fay Four"].legal_status == ""
    warnings = {r.number: " ".join(r.warnings) for r in preview.warned}
    assert "Mobile number left blank" in warnings[3]
    assert "Date of birth left blank" in warnings[4] and "Legal status left blank" in warnings[4]


def test_the_report_is_kept_and_downloadable_as_csv(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    rows = [BEN, ["", "01/01/2004", "07700 900333", "", "", "", "", "Yes"]]
    sent = client.post(
        "/staff/contacts/import",
        data={"file": (io.BytesIO(to_csv(rows, HEADERS)), "case export.csv")},
        content_type="multipart/form-data",
    )
    upload_id = int(sent.headers["Location"].split("/")[-2])
    with app.app_context():
        upload = importing.get_upload(upload_id)
        importing.save_mapping(upload, upload.columns)
    before = client.get(f"/staff/contacts/import/{upload_id}/problems.csv")
    assert before.status_code == 200 and before.mimetype == "text/csv"
    done = client.post(f"/staff/contacts/import/{upload_id}/preview", data={})
    assert done.status_code == 302
    report_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "the name is missing" in report_page
    report_id = done.headers["Location"].rstrip("/").split("/")[-1]
    download = client.get(f"/staff/contacts/import/reports/{report_id}.csv")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Outcome", "Reason"]
    assert ["3", "Left out", "the name is missing"] in lines
    # It does not disappear: the import page lists it, and it opens again later.
    assert "case export.csv" in client.get("/staff/contacts/import").get_data(as_text=True)
    assert client.get(f"/staff/contacts/import/reports/{report_id}").status_code == 200


def test_importing_the_same_file_again_adds_nothing(app):
    rows = [
        BEN,
        ["Gus Five", "not a date", "", "gus@example.org", "", "", "", "Yes"],
        ["Hal Six", "", "07700 900444", "", "3 Road", "NB1 2AB", "", "No"],
    ]
    _first, first = _import(app, rows)
    assert first.added == 3
    _again, second = _import(app, rows)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 3)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 3


def test_the_import_warns_about_people_who_will_not_be_invited(app):
    with app.app_context():
        on = contacts.today()
    too_young = f"{on.day:02d}/{on.month:02d}/{on.year - 14}"
    rows = [
        ["Ivy Young", too_young, "07700 900555", "", "", "", "", "Yes"],
        ["Jo NoConsent", "01/01/2004", "07700 900556", "", "", "", "", "No"],
    ]
    preview, result = _import(app, rows)
    assert result.added == 2
    warnings = {r.number: " ".join(r.warnings) for r in preview.warned}
    assert "Will not be invited: 14" in warnings[2]
    assert "Will not be invited: has not agreed to be contacted" in warnings[3]
