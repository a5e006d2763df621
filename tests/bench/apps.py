"""WSGI entry points for the benchmarks, served by gunicorn (see harness.py).

gunicorn imports these as ``tests.bench.apps:bare_app()`` and ``tests.bench.apps:belonging_app()``.
The Belonging app reads its database URI from ``BELONGING_BENCH_DATABASE_URI``, which the
benchmark sets for the gunicorn subprocess: only tests read the environment outside config.py.

The clock: a benchmark seeds its data in the test process, on the suite's frozen clock
(tests/conftest.py), so an open round is open on that clock's date, not on the real one. The
gunicorn workers therefore run on the same clock: ``bench_env`` passes the test clock's current
instant in ``BELONGING_BENCH_CLOCK`` and ``belonging_app`` travels there (time-machine, ticking)
before it builds the app. The product's clock (app/core/clock.py) stays the only clock and knows
nothing about it. All the workers must tell the same time: each starts at its own moment, and a
worker whose clock ran behind another's refused the other's CSRF tokens as issued in the future
(a "timed out" start page, now and then). So ``bench_env`` also passes the monotonic clock's
reading when it took the instant (``BELONGING_BENCH_CLOCK_TAKEN``; one clock for every process
on the machine, and time-machine leaves it alone), and each worker travels to that instant plus
the seconds since: the same clock in every worker. No wall clock is read.
"""

from __future__ import annotations

import gc
import os
import time
from datetime import UTC, datetime, timedelta

import time_machine
from flask import Flask

DATABASE_URI_VARIABLE = "BELONGING_BENCH_DATABASE_URI"
CLOCK_VARIABLE = "BELONGING_BENCH_CLOCK"
TAKEN_VARIABLE = "BELONGING_BENCH_CLOCK_TAKEN"


def bench_env(database_uri: str) -> dict[str, str]:
    """The environment a benchmark's gunicorn needs: the bench database and the test clock."""
    # Imported here, not at the top: gunicorn imports this module for bare_app() too, which must
    # not load Belonging.
    from app.core import clock

    return {
        DATABASE_URI_VARIABLE: database_uri,
        CLOCK_VARIABLE: clock.utcnow().isoformat(),
        TAKEN_VARIABLE: repr(time.monotonic()),
    }


def bare_app() -> Flask:
    """The floor to compare against: Flask with one route and nothing else."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    return app


def belonging_app(**overrides) -> Flask:
    """Belonging as production runs it (CSRF on), minus rate limiting, on the bench database."""
    # Imported here, not at the top: see bench_env.
    from app import create_app
    from config import TestConfig

    # The data was seeded on the suite's frozen clock: serve it on the same clock (see above).
    instant = datetime.fromisoformat(os.environ[CLOCK_VARIABLE]).replace(tzinfo=UTC)
    since = time.monotonic() - float(os.environ[TAKEN_VARIABLE])
    time_machine.travel(instant + timedelta(seconds=since), tick=True).start()
    time.time()  # time-machine starts ticking at the first reading, not at start(): read it now
    uri = os.environ[DATABASE_URI_VARIABLE]
    config = type(
        "BenchConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "TESTING": False,
            "LOG_LEVEL": "WARNING",
            **overrides,
        },
    )
    app = create_app(config)
    # As wsgi.py does in production: what starting made (the spelling dictionaries, the
    # questionnaires) is moved out of the cyclic collector's way, so its full collections look
    # only at what requests made since.
    gc.freeze()
    return app
