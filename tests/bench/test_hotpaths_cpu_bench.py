"""The hot public paths' cost per request in-process, in figures that load on the machine moves
little: CPU milliseconds and Python function calls a request.

``test_hotpaths_bench.py`` compares requests per second under gunicorn, which is what the issue's
aims are written in, but on a shared 2-core machine its ratios move with whatever else runs. Here
the same requests (question page, answer POST changing the stored answer each time, webhook:
an answer by text, "hello" and "BELONG") go through the WSGI app with Flask's test client,
beside a bare Flask "hello" route: CPU time (``time.process_time``, which other processes affect
only through the caches they share) and the number of Python function calls a request
(cProfile's count, which they do not affect at all). A change that cuts per-request work shows
in the call count even when the machine is too busy for the load test to tell. Printed, not
asserted beyond a working request: the figures are for comparing commits.

For each request that writes, the time from its first write to its commit is printed too: on
SQLite the database's one write lock is held for that long, and every other text and answer
waits for it (tests/surveys/sms/test_webhook_statements.py checks nothing but the writes runs
inside it).

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (``make bench`` runs both).
"""

from __future__ import annotations

import cProfile
import itertools
import pstats
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.core.extensions import db
from tests.bench.apps import bare_app
from tests.bench.clients import MOBILE_BLOCKS, SLUG, TOKEN, signed_text, signed_texts
from tests.bench.test_hotpaths_bench import (  # noqa: F401 - the shared fixture
    ANSWER_TEXTS,
    bench_database,
)
from tests.conftest import TEST_DATABASE_URL, build_app

pytestmark = pytest.mark.bench

REQUESTS = 200  # timed, after 20 to warm up
PROFILED = 50  # counted under cProfile
ANSWER_PHONE = f"{MOBILE_BLOCKS[5]}999999"  # a phone in a conversation, answering


def _cost(request: Callable[[], None]) -> tuple[float, float]:
    """(CPU ms, Python function calls) a request."""
    for _ in range(20):
        request()
    started = time.process_time()
    for _ in range(REQUESTS):
        request()
    cpu_ms = (time.process_time() - started) / REQUESTS * 1000
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(PROFILED):
        request()
    profile.disable()
    return cpu_ms, pstats.Stats(profile).total_calls / PROFILED


@contextmanager
def _write_spans(engine: sa.Engine) -> Iterator[list[float]]:
    """Milliseconds from each transaction's first write (any statement but a SELECT) to its
    commit, while inside."""
    spans: list[float] = []
    first: list[float] = []

    def statement(_conn, _cursor, sql, *_args) -> None:
        if not first and not sql.lstrip().upper().startswith("SELECT"):
            first.append(time.perf_counter())

    def commit(_conn) -> None:
        if first:
            spans.append((time.perf_counter() - first.pop()) * 1000)

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    try:
        yield spans
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)


def _survey_requests(client: FlaskClient) -> dict[str, Callable[[], None]]:
    start = client.get(f"/s/{SLUG}")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', start.data)
    assert token, "no CSRF token on the start page"
    begun = client.post(f"/s/{SLUG}/start", data={"csrf_token": token.group(1).decode()})
    assert begun.status_code == 302, begun.status_code
    page = client.get(f"/s/{SLUG}/q/Q2")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    choices = re.findall(rb'name="choice" type="radio" value="([^"]+)"', page.data)
    assert token and len(choices) >= 2, "no CSRF token or two choices on the question page"
    # Each post changes the stored answer (the first choice, then the second...), so each one
    # writes: the same choice posted again changes nothing, and the engine writes nothing.
    forms = itertools.cycle(
        {"csrf_token": token.group(1).decode(), "action": "answer", "choice": choice.decode()}
        for choice in choices[:2]
    )

    def question() -> None:
        assert client.get(f"/s/{SLUG}/q/Q2").status_code == 200

    def answer() -> None:
        assert client.post(f"/s/{SLUG}/q/Q2", data=next(forms)).status_code == 302

    def texting(body: str, prefix: int) -> Callable[[], None]:
        build = signed_texts(body, prefix)

        def text() -> None:
            sent = build()
            reply = client.post(sent.path, headers=dict(sent.headers), data=sent.body)
            assert b"<Message>" in reply.data, (reply.status_code, reply.data[:300])

        return text

    start = signed_text("BELONG", ANSWER_PHONE, "SM0007" + "0" * 28)
    started = client.post(start.path, headers=dict(start.headers), data=start.body)
    assert b"1/9" in started.data, started.data[:300]
    sids = itertools.count(1)
    answers = itertools.cycle(ANSWER_TEXTS)

    def answer_by_text() -> None:
        sent = signed_text(next(answers), ANSWER_PHONE, f"SM0007{next(sids):028d}")
        reply = client.post(sent.path, headers=dict(sent.headers), data=sent.body)
        assert b"/9" in reply.data, (reply.status_code, reply.data[:300])

    return {
        "question page": question,
        "answer POST": answer,
        "webhook: answer": answer_by_text,
        "webhook: hello": texting("hello", 3),
        "webhook: BELONG": texting("BELONG", 4),
    }


def test_hot_paths_cost_per_request_in_process(bench_database):  # noqa: F811 - the fixture
    app = build_app(
        bench_database, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False, TWILIO_AUTH_TOKEN=TOKEN
    )
    bare = bare_app().test_client()

    def hello() -> None:
        assert bare.get("/hello").status_code == 200

    bare_ms, bare_calls = _cost(hello)
    backend = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    print(f"\nHot paths in-process on {backend} (Flask test client, {REQUESTS} requests each):")
    print(f"  bare Flask /hello: {bare_ms:.3f} ms CPU, {bare_calls:,.0f} Python calls a request")
    with app.app_context():
        engine = db.engine
    for name, request in _survey_requests(app.test_client()).items():
        cpu_ms, calls = _cost(request)
        with _write_spans(engine) as spans:
            for _ in range(REQUESTS):
                request()
        held = f", write lock held {statistics.median(spans):.3f} ms" if spans else ""
        print(
            f"  {name}: {cpu_ms:.3f} ms CPU ({bare_ms / cpu_ms:.3f} of bare Flask), "
            f"{calls:,.0f} Python calls a request{held}"
        )
