"""How transactions begin on SQLite (app/core/extensions.py): IMMEDIATE where they may write.

A deferred transaction that has read and then writes fails at once with "database is locked"
if another writer committed in between (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout. The
first test plays exactly that during a young person's answer POST; with plain BEGIN for POSTs
it answers 500.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.core import jobs
from app.core.extensions import db, transactions_for
from surveys.models import Response
from tests.surveys.conftest import make_open_round
from tests.surveys.web.test_web_survey import BASE


@pytest.fixture
def sqlite_file(app) -> str:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite only: PostgreSQL transactions are left as they are")
    return uri.removeprefix("sqlite:///")


def _begins(app) -> list[str]:
    """Every BEGIN the app's engine emits from now on."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    return seen


def test_an_answer_never_fails_when_another_writer_commits_during_it(app, sqlite_file):
    make_open_round(app)
    with sqlite3.connect(sqlite_file) as other:
        other.execute("CREATE TABLE elsewhere (x INTEGER)")
    with app.app_context():
        engine = db.engine
    outcome: dict[str, object] = {}

    def another_writer() -> None:  # a staff import's batch, say, in another process
        try:
            with sqlite3.connect(sqlite_file, timeout=10) as other:
                other.execute("INSERT INTO elsewhere VALUES (1)")
            outcome["committed"] = True
        except sqlite3.Error as exc:
            outcome["error"] = exc

    def write_in_between(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith(("INSERT", "UPDATE")) and "thread" not in outcome:
            outcome["thread"] = thread = threading.Thread(target=another_writer)
            thread.start()
            thread.join(0.5)  # it commits now if the answer's transaction lets it

    event.listen(engine, "before_cursor_execute", write_in_between)
    try:
        started = app.test_client().post(f"{BASE}/start")
    finally:
        event.remove(engine, "before_cursor_execute", write_in_between)
    thread = outcome["thread"]
    assert isinstance(thread, threading.Thread)
    thread.join()
    assert started.status_code == 302
    assert outcome.get("committed") is True, outcome.get("error")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_pages_begin_deferred_and_changes_begin_immediate(app, sqlite_file):
    make_open_round(app)
    begins = _begins(app)
    client = app.test_client()
    assert client.post(f"{BASE}/start").status_code == 302
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}
    begins.clear()
    assert client.get(f"{BASE}/q/Q3").status_code == 200
    assert begins and set(begins) == {"BEGIN"}  # page views stay concurrent


def test_a_job_begins_immediate_even_inside_a_page_view(app, sqlite_file):
    begins = _begins(app)

    @jobs.task()
    def count_responses() -> int:
        return db.session.scalar(sa.select(sa.func.count(Response.id))) or 0

    with app.test_request_context("/", method="GET"):
        db.session.scalar(sa.select(sa.func.count(Response.id)))
        db.session.rollback()
        count_responses()  # immediate mode in tests: it runs here and now
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_read_phase_begins_deferred(app, sqlite_file):
    begins = _begins(app)
    with app.app_context():
        with transactions_for("read"):
            db.session.scalar(sa.select(sa.func.count(Response.id)))
            db.session.rollback()
        db.session.scalar(sa.select(sa.func.count(Response.id)))  # a command: it may write
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_savepoints_roll_back_only_their_part(app, sqlite_file):
    make_open_round(app)
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE kept (x INTEGER)"))
        db.session.execute(sa.text("INSERT INTO kept VALUES (1)"))
        with db.session.begin_nested() as savepoint:
            db.session.execute(sa.text("INSERT INTO kept VALUES (2)"))
            savepoint.rollback()
        db.session.commit()
        assert db.session.scalars(sa.text("SELECT x FROM kept")).all() == [1]


def test_ddl_is_transactional(app, sqlite_file):
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE undone (x INTEGER)"))
        db.session.rollback()
        tables = sa.inspect(db.engine).get_table_names()
    assert "undone" not in tables
