"""Anonymity is a property of the schema: these tests read the real, migrated database.

They fail if a later change adds any way to get from an answer to a person: a foreign key from
responses or answers to contacts, invitations, messages or staff; a column holding a phone
number, email, name, IP address, user agent or message id; a time (not a date) on a response;
or a stored date of birth.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer, Response

# Tables that hold answers, and everything reachable from them by foreign keys.
ANSWER_TABLES = {"response", "answer"}
# Tables an answer may point to: the survey's own structure, nothing about people.
ALLOWED_TARGETS = {"response", "answer", "question", "questionnaire", "survey_round"}
IDENTIFYING = (
    "contact",
    "invitation",
    "phone",
    "email",
    "name",
    "ip",
    "user_agent",
    "message",
    "sid",
    "staff",
    "user",
    "address",
    "token",
    "birth",
    "dob",
)
# Tables allowed to point at an answer: a safeguarding flag (no person in it), and an SMS
# conversation, whose row (hash -> response) exists only while the survey is in progress;
# tests/surveys/sms/test_sms_anonymity.py proves no such link survives the conversation.
LINKS_WHILE_IN_PROGRESS = {"safeguarding_flag", "sms_conversation"}
# Tables that hold contact details and must not be linked to any answer, in either direction.
PERSON_TABLES = {"contact_request", "staff_user", "audit_event"}


def _inspector(app):
    return sa.inspect(db.engine)


def _reachable(inspector, start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        table = todo.pop()
        if table in seen:
            continue
        seen.add(table)
        todo.extend(fk["referred_table"] for fk in inspector.get_foreign_keys(table))
    return seen


def test_answers_lead_only_to_the_survey_structure(app):
    with app.app_context():
        inspector = _inspector(app)
        reachable = _reachable(inspector, ANSWER_TABLES)
        assert reachable <= ALLOWED_TARGETS, f"answers now lead to {reachable - ALLOWED_TARGETS}"


def test_no_person_table_points_at_an_answer(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in inspector.get_table_names():
            if table in ANSWER_TABLES or table in LINKS_WHILE_IN_PROGRESS:
                continue
            targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert not targets & ANSWER_TABLES, f"{table} links to answers: {targets}"


def test_answer_tables_have_no_identifying_columns(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in ANSWER_TABLES:
            for column in inspector.get_columns(table):
                name = column["name"].lower()
                words = set(name.split("_"))
                assert not words & set(IDENTIFYING), f"{table}.{name}"


def test_responses_hold_dates_not_times(app):
    with app.app_context():
        inspector = _inspector(app)
        for table in ANSWER_TABLES:
            for column in inspector.get_columns(table):
                kind = column["type"]
                assert not isinstance(kind, sa.DateTime), f"{table}.{column['name']} is a time"
                assert "TIMESTAMP" not in str(kind).upper(), f"{table}.{column['name']}"


def test_contact_requests_are_not_ordered_or_timed(app):
    """Forum sign-ups must not be matchable to responses by order or time."""
    with app.app_context():
        inspector = _inspector(app)
        columns = {c["name"]: c for c in inspector.get_columns("contact_request")}
        assert not isinstance(columns["id"]["type"], sa.Integer), "a counter id orders sign-ups"
        for column in columns.values():
            assert not isinstance(column["type"], (sa.Date, sa.DateTime)), column["name"]


def test_the_date_of_birth_itself_is_never_stored(app, client):
    from tests.surveys.conftest import SLUG, make_open_round

    make_open_round(app)
    client.post(f"/s/{SLUG}/start")
    client.post(
        f"/s/{SLUG}/q/Q1", data={"action": "answer", "day": "14", "month": "2", "year": "2004"}
    )
    with app.app_context():
        dumped = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                dumped.append(" ".join(str(v) for v in row))
        text = "\n".join(dumped)
    for form in ("2004-02-14", "14/02/2004", "14 2 2004", "2004-2-14"):
        assert form not in text


def test_anonymous_keys_are_random_and_notices_hold_nothing_but_a_sealed_box():
    from app.core.extensions import random_key
    from surveys.models import CompletionNotice
    from surveys.sms.models import InboundMessage, SmsConversation

    for model in (Response, Answer, SmsConversation, InboundMessage):
        key = model.__table__.c.id
        assert key.default is not None and key.default.arg.__name__ == random_key.__name__, model
        assert key.autoincrement is False, model
    assert {c.name for c in CompletionNotice.__table__.columns} == {"id", "key_id", "sealed"}
