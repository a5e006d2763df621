"""WSGI entry points for the benchmarks, served by gunicorn (see harness.py).

gunicorn imports these as ``tests.bench.apps:bare_app()`` and ``tests.bench.apps:belonging_app()``.
The Belonging app reads its database URI from ``BELONGING_BENCH_DATABASE_URI``, which the
benchmark sets for the gunicorn subprocess: only tests read the environment outside config.py.
"""

from __future__ import annotations

import os

from flask import Flask

DATABASE_URI_VARIABLE = "BELONGING_BENCH_DATABASE_URI"


def bare_app() -> Flask:
    """The floor to compare against: Flask with one route and nothing else."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    return app


def belonging_app(**overrides) -> Flask:
    """Belonging as production runs it (CSRF on), minus rate limiting, on the bench database."""
    from app import create_app
    from config import TestConfig

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
    return create_app(config)
