"""Importing the council's outcome figures: bad rows reported by row number and nothing kept,
a valid CSV or XLSX stored, and a re-import shown and confirmed before it replaces a year."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from app.board.outcomes.models import OutcomeFigure
from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from tests.app.board.outcomes.helpers import store, table, text

HEADER = "year,age_group,cohort,in_touch,eet,suitable_accommodation\n"


def upload(client, body: bytes | str, name: str = "outcomes.csv"):
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        "/board/outcomes/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored(app) -> dict[tuple[int, str], tuple[int, int, int, int]]:
    with app.app_context():
        return {
            (f.year, f.age_group): (f.cohort, f.in_touch, f.eet, f.suitable_accommodation)
            for f in db.session.scalars(sa.select(OutcomeFigure))
        }


def audit(app, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.detail)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    body = (
        HEADER
        + "2025,17-18,60,55,40,50\n"  # row 2: fine, but not kept (the file has problems)
        + "2025,19-21,110,97,sixty,91\n"  # row 3: not a whole number
        + "2025,17-18,60,55,40,50\n"  # row 4: the same year and age as row 2
        + "2025,22-25,30,20,10,15\n"  # row 5: an age group we do not know
        + "2024,17-18,40,41,20,30\n"  # row 6: in touch larger than the cohort
        + "2024,19-21,,50,20,30\n"  # row 7: cohort missing
        + "last year,19-21,50,40,20,30\n"  # row 8: not a year
        + "2024,19-21,50,40,2.5,30\n"  # row 9: not whole
    )
    response = upload(client, body)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = text(re.search(r'id="import-problems">(.*?)</div>\s*<h1', page, re.S).group(1))
    assert "Nothing was imported. Fix these rows and upload the file again" in summary
    assert "Row 3: eet \u2018sixty\u2019 is not a whole number" in summary
    assert "Row 4: 2024 to 2025, aged 17-18 is already in row 2" in summary
    assert "Row 5: \u201822-25\u2019 is not an age group we know. Enter 17-18 or 19-21" in summary
    assert "Row 6: 41 in touch is more than the cohort of 40" in summary
    assert "Row 7: cohort is empty" in summary
    assert "Row 8: \u2018last year\u2019 is not a year" in summary
    assert "Row 9: eet \u20182.5\u2019 is not a whole number" in summary
    assert "Row 2" not in summary
    assert stored(app) == {}


def test_a_missing_column_is_named(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    response = upload(
        client, "year,age_group,cohort,in_touch,suitable_accommodation\n2025,17-18,6,5,5\n"
    )
    assert response.status_code == 400
    assert "The file has no column called \u2018eet\u2019" in text(response.get_data(as_text=True))
    assert stored(app) == {}


def test_a_valid_csv_is_stored_with_an_audit_line(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    body = (
        "Year,Age group,Cohort,In touch,EET,Suitable accommodation\n"  # names as people type them
        "2024-25,17 to 18,60,55,40,50\n"
        "2025,19-21,110,97,58,91\n"
        "202324,17-18,58,54,37,50\n"
    )
    response = upload(client, body)
    assert response.status_code == 302
    assert stored(app) == {
        (2025, "17-18"): (60, 55, 40, 50),
        (2025, "19-21"): (110, 97, 58, 91),
        (2024, "17-18"): (58, 54, 37, 50),
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added the figures for 2023 to 2024, 2024 to 2025" in text(page)
    assert len(audit(app, "outcomes.import")) == 3


def test_the_xlsx_template_imports_as_it_is(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    template = client.get("/board/outcomes/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    assert [c.value for c in book["Outcomes"][1]] == [
        "year",
        "age_group",
        "cohort",
        "in_touch",
        "eet",
        "suitable_accommodation",
    ]
    csv_template = client.get("/board/outcomes/template.csv")
    assert csv_template.data.decode("utf-8-sig").startswith(HEADER.strip())
    assert upload(client, template.data, "template.xlsx").status_code == 302
    assert stored(app) == {(2025, "17-18"): (62, 58, 40, 55), (2025, "19-21"): (118, 104, 63, 99)}


def test_a_re_import_shows_what_changes_and_replaces_only_when_confirmed(app, logged_in_as):
    store(app, {2025: {"17-18": (60, 55, 40, 50), "19-21": (110, 97, 58, 91)}})
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    response = upload(client, HEADER + "2025,17-18,61,55,42,50\n2026,17-18,62,58,44,55\n")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check what the import replaces" in page
    changed = table(page, "change-2025-17-18")
    assert ["cohort", "60", "61 (changed)"] in changed
    assert ["eet", "40", "42 (changed)"] in changed
    assert ["in_touch", "55", "55"] in changed
    assert table(page, "change-2026-17-18")[1] == ["cohort", "none", "62"]
    # Nothing is stored until the importer confirms.
    assert stored(app)[(2025, "17-18")] == (60, 55, 40, 50)
    assert (2026, "17-18") not in stored(app)

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="token" value="([^"]+)"', page
    )
    done = client.post("/board/outcomes/import/confirm", data={"token": token.group(1)})
    assert done.status_code == 302
    assert stored(app)[(2025, "17-18")] == (61, 55, 42, 50)
    assert stored(app)[(2026, "17-18")] == (62, 58, 44, 55)
    assert stored(app)[(2025, "19-21")] == (110, 97, 58, 91)  # not in the file: kept
    message = text(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "Added the figures for 2025 to 2026" in message
    assert "Replaced the figures for 2024 to 2025 (see the audit log)" in message
    assert audit(app, "outcomes.replace") == [
        "2024 to 2025, aged 17-18: replaced (cohort 60 \u2192 61, in_touch 55 \u2192 55, "
        "eet 40 \u2192 42, suitable_accommodation 50 \u2192 50)"
    ]


def test_a_confirmation_is_refused_if_the_figures_changed_or_it_was_tampered_with(
    app, logged_in_as
):
    store(app, {2025: {"17-18": (60, 55, 40, 50)}})
    client = logged_in_as(Role.ADMIN)
    page = upload(client, HEADER + "2025,17-18,61,55,42,50\n").get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)
    assert (
        client.post("/board/outcomes/import/confirm", data={"token": token + "x"}).status_code
        == 400
    )
    with app.app_context():
        figure = db.session.scalar(sa.select(OutcomeFigure))
        figure.cohort = 70  # someone else imported meanwhile
        db.session.commit()
    refused = client.post("/board/outcomes/import/confirm", data={"token": token})
    assert refused.status_code == 400
    assert "Someone changed these figures since you uploaded the file" in text(
        refused.get_data(as_text=True)
    )
    assert stored(app)[(2025, "17-18")] == (70, 55, 40, 50)


def test_the_database_refuses_a_part_larger_than_the_cohort(app):
    with app.app_context():
        db.session.add(
            OutcomeFigure(
                year=2025,
                age_group="17-18",
                cohort=10,
                in_touch=11,
                eet=1,
                suitable_accommodation=1,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_board_members_read_the_page_but_cannot_import(app, logged_in_as):
    client = logged_in_as(Role.BOARD_MEMBER)
    assert client.get("/board/outcomes").status_code == 200
    assert client.get("/board/outcomes/import").status_code == 403
    assert upload(client, HEADER + "2025,17-18,60,55,40,50\n").status_code == 403
    assert client.get("/board/outcomes/targets").status_code == 403
