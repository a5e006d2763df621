"""Guessing codes is slow: personal links and resume codes answer 429 after a few wrong tries."""

from __future__ import annotations

from app.staff.auth.models import Role
from tests.conftest import build_app, make_staff
from tests.surveys.conftest import SLUG, make_open_round


def _limited_app(database_uri):
    return build_app(database_uri, RATELIMIT_ENABLED=True, CODE_GUESS_RATE_LIMIT="5 per minute")


def test_wrong_personal_link_guesses_get_429(database_uri):
    app = _limited_app(database_uri)
    client = app.test_client()
    codes = [client.get(f"/i/WRONG{n:04d}").status_code for n in range(7)]
    assert codes[:5] == [404] * 5
    assert codes[5:] == [429, 429]
    assert "Too many attempts" in client.get("/i/WRONG9999").text


def test_wrong_resume_code_guesses_get_429(database_uri):
    app = _limited_app(database_uri)
    make_open_round(app)
    client = app.test_client()
    codes = [
        client.post(f"/s/{SLUG}/resume", data={"code": f"AAAA-BBBB-{n:04d}"}).status_code
        for n in range(7)
    ]
    assert codes[:5] == [400] * 5
    assert codes[5:] == [429, 429]


def test_one_account_guessed_from_many_places_gets_429(database_uri):
    app = build_app(
        database_uri,
        RATELIMIT_ENABLED=True,
        SIGN_IN_RATE_LIMIT="100 per minute",
        SIGN_IN_ACCOUNT_RATE_LIMIT="3 per hour",
    )
    make_staff(app, Role.ADMIN, "admin@example.org")
    codes = [
        app.test_client()
        .post(
            "/sign-in",
            data={"email": "Admin@Example.org ", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        )
        .status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_survey_pages_and_personal_links_are_never_cached(app):
    make_open_round(app)
    client = app.test_client()
    for url in (f"/s/{SLUG}", f"/s/{SLUG}/resume", f"/s/{SLUG}/help", "/i/NOSUCHCODE"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    started = client.post(f"/s/{SLUG}/start", follow_redirects=True)
    assert started.headers.get("Cache-Control") == "no-store"
