"""Paper keying and import throughput (run with `make bench`; figures are printed).

Keying: server time per saved form, through the real route (the test client calls the WSGI app
in-process, so the time is the server's), against a baseline in the same run: showing the empty
keying screen. Import: 10,000 rows of a CSV in the export's format, upload + check + import.
"""

from __future__ import annotations

import csv
import io
import statistics
import time

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.imports import services as imports
from surveys.models import Response, SurveyRound
from surveys.paper.services import allocate_serials
from tests.surveys.conftest import make_open_round
from tests.surveys.paper.helpers import form

pytestmark = pytest.mark.bench
FORMS = 200
IMPORT_ROWS = 10_000


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.1f} ms, p95 " + (
        f"{sorted(samples)[int(len(samples) * 0.95) - 1] * 1000:.1f} ms"
    )


def test_keying_throughput(app, logged_in_as):
    round_id = make_open_round(app)
    with app.app_context():  # staff key the serials of forms they printed
        allocate_serials(db.session.get_one(SurveyRound, round_id), FORMS)
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/key"
    screen, saves = [], []
    for n in range(1, FORMS + 1):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        screen.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.post(url, data={"channel": "paper", "serial": str(n), **form()})
        saves.append(time.perf_counter() - started)
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == FORMS
    print(
        f"\nKeying, {FORMS} forms: save {_ms(saves)} per form "
        f"({60 / statistics.median(saves):,.0f} forms a minute of server time); "
        f"baseline, showing the empty screen: {_ms(screen)}"
    )


def _export_like_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "response_id",
            "channel",
            "started_on",
            "completed_on",
            "Q1",
            "Q2",
            "Q2_other",
            "Q3",
            "Q4_1",
            "Q4_2",
            "Q4_3",
            "Q7",
            "Q11",
            "Q12",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                n,
                "web",
                "2025-03-01",
                "2025-03-02",
                16 + n % 10,
                "Other" if n % 7 == 0 else "I am over 18 and live independently",
                "With my nan" if n % 7 == 0 else "",
                "Female" if n % 2 else "Male",
                f"Own space {n}",
                "My PA",
                "",
                "Ask for help.",
                "Not sure",
                "Skipped" if n % 3 else "More drop-ins please",
            ]
        )
    return out.getvalue().encode()


def test_import_of_ten_thousand_rows(app):
    round_id = make_open_round(app)
    body = _export_like_csv(IMPORT_ROWS)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        started = time.perf_counter()
        upload = imports.start_upload(survey_round, "last-year.csv", body)
        uploaded = time.perf_counter()
        preview = imports.check_rows(upload, survey_round)
        checked = time.perf_counter()
        assert preview.errors == [] and len(preview.valid) == IMPORT_ROWS
        result = imports.import_rows(upload, survey_round, valid_only=False)
        done = time.perf_counter()
        assert result.imported == IMPORT_ROWS
        count = db.session.scalar(sa.select(sa.func.count(Response.id)))
        assert count == IMPORT_ROWS
    print(
        f"\nImport, {IMPORT_ROWS:,} rows ({len(body) / 1e6:.1f} MB CSV): read and store upload "
        f"{uploaded - started:.2f} s, check (preview) {checked - uploaded:.2f} s, import "
        f"(checks again, stores, screens) {done - checked:.2f} s; total {done - started:.2f} s"
    )
