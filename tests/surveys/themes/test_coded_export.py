"""The coded-answers export (CSV and XLSX): streamed, with what a worker coded, and the same
SQL statements whatever the size of the round (issue 20)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask, request_finished
from flask import Response as HttpResponse

from app.core.extensions import db, random_key
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role, StaffUser
from surveys.models import Answer, Response, SurveyRound
from surveys.themes import services
from tests.data_sizes import statements
from tests.surveys.conftest import make_open_round
from tests.surveys.themes.helpers import coded_round

WORKER_EMAIL = "participation_worker@example.org"  # the logged_in_as fixture's address


@pytest.fixture
def coded(app, logged_in_as):
    """Two complete responses and one half-way through; a worker has coded two pieces.

    Returns the client, the round's id and what a worker expects in the export: the theme
    columns' names and one row per piece of text (question order, then answer order, then the
    piece's place in its answer)."""
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_id = make_open_round(app)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        q = {question.code: question for question in survey_round.questionnaire.questions}
        keys = iter(range(random_key() >> 8, 2**53))  # rising answer keys: a known order
        first = Response(id=next(keys), round=survey_round, channel="web", status="complete")
        second = Response(id=next(keys), round=survey_round, channel="paper", status="complete")
        unfinished = Response(id=next(keys), round=survey_round, channel="web")
        answers = [
            (first, "Q2", {"choice": "6", "other": "Living with my nan"}),
            (first, "Q4", {"items": ["Cooking my own tea", "=SUM(A1:A9)"]}),
            (first, "Q12", {"text": "My PA helps"}),
            (second, "Q12", {"text": "No money for the bus"}),
            (unfinished, "Q12", {"text": "Still writing this"}),
        ]
        for response, code, value in answers:
            response.answers.append(Answer(id=next(keys), question=q[code], value=value))
        second.answers.append(Answer(id=next(keys), question=q["Q4"], skipped=True))
        db.session.add_all([first, second, unfinished])
        db.session.commit()
        codebook = services.create_codebook(survey_round)
        themes = services.themes_in_order(codebook)
        by_key = {t.key: t for t in themes}
        worker = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == WORKER_EMAIL))
        formula_answer = first.answers[1].id
        bus_answer = second.answers[0].id
        coded_pieces = {
            (formula_answer, 1): (["practical", "money_benefits"], "negative", True),
            (bus_answer, 0): (["money"], None, False),
        }
        for (answer_id, part), (theme_keys, sentiment, notable) in coded_pieces.items():
            services.save_coding(
                survey_round,
                codebook,
                answer_id=answer_id,
                part=part,
                pass_no=1,
                theme_ids=[by_key[k].id for k in theme_keys],
                sentiment=sentiment,
                notable=notable,
                seen_version=0,
                coder=worker,
            )

        def row(response, code, part, text, coding=None):
            blank = ["", "", "", "", *[""] * len(themes)]
            if coding is None:
                return [str(response.id), code, q[code].web_text, str(part), text, *blank]
            theme_keys, sentiment, notable = coding
            # Listed by id, as the export always has (not the columns' order: a sub-theme
            # follows its parent there, but was made after the other top-level themes).
            ticked = sorted((t for t in themes if t.key in theme_keys), key=lambda t: t.id)
            return [
                str(response.id),
                code,
                q[code].web_text,
                str(part),
                text,
                "yes",
                "; ".join(t.label for t in ticked),
                sentiment or "",
                "yes" if notable else "",
                *["1" if t in ticked else "0" for t in themes],
            ]

        expected = [
            row(first, "Q2", 1, "Living with my nan"),
            row(first, "Q4", 1, "Cooking my own tea"),
            row(first, "Q4", 2, "'=SUM(A1:A9)", coded_pieces[formula_answer, 1]),
            row(first, "Q12", 1, "My PA helps"),
            row(second, "Q12", 1, "No money for the bus", coded_pieces[bus_answer, 0]),
        ]
        columns = [f"Theme: {t.label}" for t in themes]
    return client, round_id, columns, expected


@contextmanager
def sent(app: Flask) -> Iterator[list[HttpResponse]]:
    """The responses the app hands to the server (the test client's own response is always an
    iterator, so it cannot tell a streamed body from one made whole)."""
    responses: list[HttpResponse] = []

    def keep(sender, response, **extra) -> None:
        responses.append(response)

    with request_finished.connected_to(keep, app):
        yield responses


def test_the_csv_is_streamed_with_a_row_per_piece_of_text_as_coded(app, coded):
    client, round_id, columns, expected = coded
    with sent(app) as responses:
        response = client.get(f"/staff/themes/{round_id}/export.csv")
    assert response.status_code == 200 and responses[0].is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="test26-coded-answers.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == [*services.EXPORT_HEADER, *columns]
    assert rows[1:] == expected  # not the unfinished response, not the skipped answer
    with app.app_context():
        details = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "themes.export")
        )
        assert list(details) == [f"csv, {len(expected)} rows"]


def test_the_xlsx_is_sent_from_a_file_with_numbers_as_numbers(app, coded):
    client, round_id, columns, expected = coded
    with sent(app) as responses:
        response = client.get(f"/staff/themes/{round_id}/export.xlsx")
    assert response.status_code == 200 and responses[0].is_streamed
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "test26-coded-answers.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["Coded answers"]
    assert sheet.freeze_panes == "F2"
    rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert rows[0] == [*services.EXPORT_HEADER, *columns]

    def as_cells(line: list[str]) -> list:
        response_id, code, wording, part, text, *rest = line
        coded = rest[0] == "yes"
        ticks = [int(v) if coded else None for v in rest[4:]]
        words = [v or None for v in rest[:4]]
        return [int(response_id), code, wording, int(part), text, *words, *ticks]

    assert rows[1:] == [as_cells(line) for line in expected]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_export_costs_the_same_statements_at_any_size(app, logged_in_as, kind):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    small = coded_round(app, 5, slug="small26")
    large = coded_round(app, 700, slug="large26")  # more than one batch of streamed rows

    def count(round_id: int) -> int:
        with statements(app) as log:
            response = client.get(f"/staff/themes/{round_id}/export.{kind}")
            assert response.status_code == 200
            response.get_data()  # the rows are read while the body is sent
        return log.statements

    count(small)  # the first request warms what a session caches
    assert count(large) == count(small)
