"""What a text costs the database: the statements the webhook sends for the commonest texts.

Every text is answered inside Twilio's timeout, often many at once (a round's invitations go out
together), so the webhook asks the database as little as it can: one statement reads everything a
text needs first (has this MessageSid come before, the number's conversation, its opt-out, the
settings' version, whether the word names a round), and the writes are the rows the text
changes, in one commit. Counted as the engine sends them (SQLAlchemy's ``before_cursor_execute``
and ``commit`` events), so an ORM lazy load or an extra check shows up here first.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from tests.conftest import FROZEN_AT
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    Phone,
    twilio_app,  # noqa: F401 - the app fixture
)


@pytest.fixture
def phone(app, client):
    make_open_round(app, channels=("web", "sms"))
    return Phone(client)


@contextlib.contextmanager
def statements(app) -> Iterator[list[str]]:
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement.split(None, 1)[0].upper())

    def commit(_conn) -> None:
        sent.append("COMMIT")

    sa.event.listen(engine, "before_cursor_execute", count)
    sa.event.listen(engine, "commit", commit)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        sa.event.remove(engine, "commit", commit)


def test_a_text_from_an_unknown_number_reads_once_and_writes_its_reply_count_and_its_id(app, phone):
    phone.say("hello")  # the cost tally's row exists from now on, as it does in a running round
    with statements(app) as sent:
        reply = Phone(phone.client, number="+447700900456").say("hello")
    assert "BELONG" in reply
    # One read, which also brings the screening list's version (every text with words is
    # screened, in a survey or not: a first text may disclose a risk); the message's row; the
    # reply count; one commit.
    assert sorted(sent) == ["COMMIT", "INSERT", "SELECT", "UPDATE"], sent


def test_an_answer_by_text_reads_once_and_writes_what_it_changes_in_one_commit(app, phone):
    """The commonest text: an answer. Its conversation comes with the response, the round and
    the answers so far in the first statement; then the answer, the conversation's place, the
    reply's count and the message's row, and one commit (was 15 statements and 2 commits)."""
    phone.say("BELONG")
    phone.say("SKIP")
    with statements(app) as sent:
        reply = phone.say("2")  # question 2 of 9, answered
    assert "3/9" in reply
    # SELECT: the conversation with all it needs; INSERT: the answer, the message's row;
    # UPDATE: the reply count, the conversation's place.
    assert sorted(sent) == ["COMMIT", "INSERT", "INSERT", "SELECT", "UPDATE", "UPDATE"], sent


@contextlib.contextmanager
def survey_code_while_writing(app) -> Iterator[list[str]]:
    """The survey side's own functions (``surveys.*``) called between a request's first write
    and its commit: while SQLite's one write lock is held, every other text and answer waits."""
    called: list[str] = []
    writing = [False]
    with app.app_context():
        engine = db.engine

    def statement(_conn, _cursor, sql, *_args) -> None:
        if not sql.lstrip().upper().startswith("SELECT"):
            writing[0] = True

    def commit(_conn) -> None:
        writing[0] = False

    def profile(frame, event, _arg) -> None:
        module = frame.f_globals.get("__name__", "")
        if event == "call" and writing[0] and module.startswith("surveys."):
            called.append(f"{module}.{frame.f_code.co_qualname}")

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    sys.setprofile(profile)
    try:
        yield called
    finally:
        sys.setprofile(None)
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)


@pytest.mark.parametrize(
    ("texts", "said"),
    [
        pytest.param(["BELONG"], "Hi from", id="BELONG"),
        pytest.param(["BELONG", "SKIP", "2"], "/9", id="a choice"),
        pytest.param(["BELONG", f"14/2/{FROZEN_AT.year - 19}"], "/9", id="a date of birth"),
        pytest.param(
            ["BELONG", "SKIP", "SKIP", "SKIP", "my flat and my friends"], "/9", id="words"
        ),
        pytest.param(
            ["BELONG", "SKIP", "SKIP", "SKIP", "i feel like ending it"], "Samaritans", id="a risk"
        ),
        pytest.param(["BELONG", "no idea"], "/9", id="not understood"),
        pytest.param(
            ["BELONG", "no. he hits me"], "Samaritans", id="a risk beside a date of birth"
        ),
        pytest.param(["BELONG", "BACK"], "/9", id="BACK"),
    ],
)
def test_a_text_is_answered_before_its_first_write_so_the_write_lock_waits_for_nothing(
    app, phone, texts, said
):
    """Everything a text needs (reading the reply, the next question, the words of the answer
    back, screening and a flag) is worked out before the text's first write; then only the
    writes and the commit. (Was: the answer written first and the reply worked out while
    holding the lock.) The last answer, which completes the response and ends the
    conversation, still writes as it goes: once a survey, not once a text."""
    # A first text with words seeds the screening list, once a process (a running service's
    # list was seeded by its first text, long before)
    Phone(phone.client, number="+447700900456").say("hello there")
    for body in texts[:-1]:
        phone.say(body)
    with survey_code_while_writing(app) as called:
        reply = phone.say(texts[-1])
    assert said in reply
    assert called == [], called
