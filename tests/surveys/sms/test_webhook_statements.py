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
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.core.extensions import db
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
