"""Survey pages that only read run without a transaction on PostgreSQL (``reading_only`` in
app/core/extensions.py): no BEGIN and ROLLBACK round trips on a question page, and psycopg
keeps the statements it prepared (every ROLLBACK makes it drop them). What a person sends is
still saved in one transaction: the answer POST begins and commits.

Read from what the app's connection sends to the server (libpq's trace of the protocol)."""

from __future__ import annotations

import re
import time
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
    while ``run`` runs: "BEGIN", "ROLLBACK", "COMMIT", "ping" for an empty query (SQLAlchemy's
    pool_pre_ping) and "prepared" for each use of one."""
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
        elif parts[3] == "Query" and re.match(r' ";"', parts[4]):
            sent.append("ping")
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
    assert "ping" not in sent, sent  # a live connection is used without asking the server
    # psycopg prepares a statement after its fifth use on a connection: pages 6 to 12 send the
    # page's one statement (the round with the response) as a prepared one. A ROLLBACK after
    # each page would drop it, and no page would send one.
    assert sent.count("prepared") >= 7, sent


def test_an_answer_is_still_saved_in_one_transaction(app, client, round_id, tmp_path):
    assert client.post(f"{BASE}/start").status_code == 302

    def answer() -> None:
        sent = client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "2"})
        assert sent.status_code == 302

    sent = _sent(app, tmp_path, answer)
    assert sent.count("BEGIN") == 1 and sent.count("COMMIT") == 1, sent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1


def test_a_page_after_the_server_closed_the_apps_connections(app, client, round_id):
    """The server ends every connection the app holds (as a restart or an idle-session timeout
    does): the next pages get new connections, not a 500."""
    assert client.post(f"{BASE}/start").status_code == 302
    assert client.get(f"{BASE}/q/Q2").status_code == 200  # the pool now holds a connection
    with app.app_context(), db.engine.connect() as pooled:
        held = pooled.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    with killer.connect() as connection:
        ended = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity, pg_terminate_backend(pid)"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar()
        assert ended and held is not None
        for _ in range(50):  # the server ends them as it gets to them
            if not connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (held,)
            ).scalar():
                break
            time.sleep(0.02)
    killer.dispose()

    for _ in range(3):
        page = client.get(f"{BASE}/q/Q2")
        assert page.status_code == 200, page.status_code
    answered = client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "1"})
    assert answered.status_code == 302, answered.status_code
