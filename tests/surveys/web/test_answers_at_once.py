"""A double click sends one question's answer twice at the same moment: stored once, the page
moves on for both clicks, never a 500.

The question page reads the response with its answers in its first statement, and writes the
answer after: so the other click's request can commit between the two. ``meanwhile`` puts it
exactly there (its whole request, in its own application context and so its own database
session, run just after the first's look); ``at_once`` runs both in threads, held after their
looks until both have looked (the real race: on PostgreSQL the later insert waits for the
earlier's commit, then meets the unique (response, question))."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer
from surveys.web import services as web
from tests.concurrency import held_after_first_call, in_threads
from tests.surveys.web.test_web_survey import BASE

COOKIE = "belonging_session"


def _same_browser(app, client):
    other = app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def _stored(app) -> list[dict | None]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Answer.value)))


def test_a_second_click_committed_first_is_replaced_not_refused(app, client, round_id, monkeypatch):
    client.post(f"{BASE}/start")
    original, others, let_in = web.public_round, [], []

    def look_then_let_the_other_click_in(*args, **kwargs):
        found = original(*args, **kwargs)
        if not let_in:  # the first look only (the other click looks too)
            let_in.append(True)
            with app.app_context():  # its own session, as another worker's would be
                others.append(
                    _same_browser(app, client).post(
                        f"{BASE}/q/Q3", data={"action": "answer", "choice": "2"}
                    )
                )
        return found

    monkeypatch.setattr(web, "public_round", look_then_let_the_other_click_in)
    first = client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "1"})
    assert [first.status_code, others[0].status_code] == [302, 302]
    assert _stored(app) == [{"choice": "1"}]  # as a second click after the first would leave it


def test_two_clicks_at_once_store_one_answer(app, client, round_id, monkeypatch):
    client.post(f"{BASE}/start")
    held_after_first_call(monkeypatch, web, "public_round", 2)

    def click() -> int:
        with app.app_context():
            sent = _same_browser(app, client).post(
                f"{BASE}/q/Q3", data={"action": "answer", "choice": "1"}
            )
            return sent.status_code

    statuses = in_threads([click, click])
    assert statuses == [302, 302]
    assert _stored(app) == [{"choice": "1"}]
