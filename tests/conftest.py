"""Test fixtures: a real database per test, the Flask test client, signed-in staff, a browser.

The database is the real thing, built by the real migrations:
- SQLite (default): the migrations run once into a template file, and each test gets a fresh
  copy of it, so tests are isolated and fast.
- PostgreSQL: set TEST_DATABASE_URL; the migrations run once and every table is truncated
  before each test.

No fixture keeps an application context pushed while a test runs: Flask would otherwise share
``g`` (and so the signed-in user) between the test client's requests. Tests that touch the
database directly do it inside ``with app.app_context():``.

Time: the whole session runs on a clock that starts at ``FROZEN_AT`` (a weekday at noon in
London, outside the SMS quiet hours) and ticks on from there, so no test depends on the hour or
the date the suite is run (time-machine patches ``datetime.now``, ``date.today`` and
``time.time`` in every thread; monotonic clocks, which timeouts use, are left alone). A test about
a particular moment travels there itself.

Browser tests (marked ``browser``) drive Debian's Chromium through Playwright against a live
server on 127.0.0.1 with CSRF protection on, backed by its own SQLite file with the demo data.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.core import jobs
from app.core.extensions import db as _db
from app.staff.auth.models import Role
from config import TestConfig

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
FROZEN_AT = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # Wednesday 10 June 2026, 12:00 in London
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session", autouse=True)
def frozen_clock() -> Iterator[None]:
    """Every test sees the same date and hour, whenever the suite runs (see the docstring)."""
    with time_machine.travel(FROZEN_AT, tick=True):
        yield


def make_config(uri: str, **overrides) -> type[TestConfig]:
    return type("PerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, **overrides})


def build_app(uri: str, **overrides) -> Flask:
    return create_app(make_config(uri, **overrides))


def _migrate(uri: str) -> None:
    app = build_app(uri)
    with app.app_context():
        upgrade(revision="heads")
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Run the real migrations once; return the URI (PostgreSQL) or template file (SQLite)."""
    if TEST_DATABASE_URL:
        engine = sa.create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


def _truncate_all(uri: str) -> None:
    engine = sa.create_engine(uri)
    tables = [t.name for t in _db.metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if TEST_DATABASE_URL:
        _truncate_all(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    copy = tmp_path / "test.db"
    shutil.copyfile(database_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app(database_uri: str) -> Iterator[Flask]:
    app = build_app(database_uri)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def csrf_app(database_uri: str) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""
    app = build_app(database_uri, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def job_queue(app: Flask, tmp_path: Path):
    """The app with a real (SQLite) job queue but no consumer; returns ``run_jobs()``, which
    runs what is queued, and with ``retries=True`` the retries Huey scheduled for later too
    (their delay skipped, so no test waits on the clock). Returns how many tasks ran."""
    app.config.update(HUEY_IMMEDIATE=False, HUEY_URL=f"sqlite:///{tmp_path / 'jobs.db'}")
    jobs.init_app(app)
    later = datetime(2100, 1, 1)  # Huey's own (naive UTC) timestamps

    def run_jobs(*, retries: bool = False) -> int:
        ran = 0
        for _ in range(100):
            task = jobs.huey.dequeue()
            due = [task] if task is not None else []
            if not due and retries:
                due = jobs.huey.read_schedule(later)
            if not due:
                break
            for item in due:
                jobs.huey.execute(item, timestamp=later)
                ran += 1
        return ran

    yield run_jobs
    app.config.update(HUEY_IMMEDIATE=True)
    jobs.init_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def make_staff(app: Flask, role: Role, email: str | None = None, **fields) -> int:
    """Create a staff account (no forced password change) and return its id."""
    from app.staff.auth.services import create_user

    with app.app_context():
        user = create_user(
            email or f"{role.value}@example.org",
            f"Test {role.label}",
            role,
            PASSWORD,
            must_change=False,
        )
        for name, value in fields.items():
            setattr(user, name, value)
        _db.session.commit()
        return user.id


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


@pytest.fixture
def logged_in_as(app: Flask, client: FlaskClient):
    """logged_in_as(Role.ADMIN) -> the test client, signed in as a new member of staff."""

    def _login(role: Role) -> FlaskClient:
        email = f"{role.value}@example.org"
        make_staff(app, role, email)
        response = sign_in(client, email)
        assert response.status_code == 302, "sign-in failed in the fixture"
        return client

    return _login


# --- Browser tests -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """The app behind the live server: CSRF on, its own SQLite file, the demo data loaded."""
    path = tmp_path_factory.mktemp("live") / "live.db"
    uri = f"sqlite:///{path}"
    _migrate(uri)
    port = _free_port()
    app = build_app(uri, WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    app.config["LIVE_PORT"] = port
    with app.app_context():
        from app.demo import seed_demo

        seed_demo()
    yield app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The real app on a real port (threaded, like gunicorn's threads); yields its base URL."""
    port = live_app.config["LIVE_PORT"]
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser on these machines."""
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A cheap phone: 360 by 640 CSS pixels."""
    return {**browser_context_args, "viewport": {"width": 360, "height": 640}}
