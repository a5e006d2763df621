"""Survey pages that only read run without a transaction on PostgreSQL (``reading_only`` in
app/core/extensions.py): no BEGIN and ROLLBACK round trips on a question page, and psycopg
keeps the statements it prepared (every ROLLBACK makes it drop them). What a person sends is
still saved in one transaction: the answer POST begins and commits.

Read from what the app's connection sends to the server (libpq's trace of the protocol)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer
from tests.conftest import TEST_DATABASE_URL
from tests.surveys.web.test_web_survey import BASE

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="on PostgreSQL (SQLite's driver begins no transaction to read)"
)


def _sent(app, tmp_path: Path, run) -> list[str]:
    """The simple-protocol commands and the prepared statements the app's connection sends
    while ``run`` runs: "BEGIN", "ROLLBACK", "COMMIT" and "prepared" for each use of one."""
    trace = tmp_path / "protocol.txt"
    with app.app_context():
        engine = db.engine
        engine.dispose()  # the next connection is a new one, traced from its start
    with trace.open("w") as handle:

        def traced(dbapi_connection, _record) -> None:
            dbapi_connection.pgconn.trace(handle.fileno())

        sa.event.listen(engine, "connect", traced)
        try:
            run()
        finally:
            sa.event.remove(engine, "connect", traced)
            engine.dispose()
    sent = []
    for line in trace.read_text().splitlines():
        parts = line.split("\t")  # time, F(rontend) or B(ackend), length, message, content
        if len(parts) < 5 or parts[1] != "F":
            continue
        if parts[3] == "Query" and (command := re.search(r'"(\w+)', parts[4])):
            sent.append(command.group(1))
        elif parts[3] == "Bind" and re.match(r' "" "_pg3_', parts[4]):
            sent.append("prepared")
    return sent


def test_a_question_page_sends_no_begin_and_keeps_its_prepared_statements(
    app, client, round_id, tmp_path
):
    assert client.post(f"{BASE}/start").status_code == 302

    for _ in range(2):  # the first pages fill the process's copies of settings and questions
        assert client.get(f"{BASE}/q/Q2").status_code == 200

    def pages() -> None:
        for _ in range(12):
            assert client.get(f"{BASE}/q/Q2").status_code == 200

    sent = _sent(app, tmp_path, pages)
    assert "BEGIN" not in sent and "ROLLBACK" not in sent, sent
    # psycopg prepares a statement at its fifth use on a connection: pages 6 to 12 send the
    # round's and the response's statements as prepared ones (a ROLLBACK would drop them).
    assert sent.count("prepared") >= 12, sent


def test_an_answer_is_still_saved_in_one_transaction(app, client, round_id, tmp_path):
    assert client.post(f"{BASE}/start").status_code == 302

    def answer() -> None:
        sent = client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "2"})
        assert sent.status_code == 302

    sent = _sent(app, tmp_path, answer)
    assert sent.count("BEGIN") == 1 and sent.count("COMMIT") == 1, sent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1
