"""Bad input on every route gets a clear page with the right status, never a 500.

Like the role walk, these tests enumerate the app's routes, so routes added later are covered.
"""

from __future__ import annotations

import re

import pytest

from app.staff.auth.models import Role
from tests.app.test_access import _rules, _sample_url, signed_by_twilio
from tests.conftest import PASSWORD, make_staff

NASTY = [
    "'; DROP TABLE staff_user; --",
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "\x00\x01\x02 control \x1b[31m characters",
    "emoji 😀🏳️‍🌈 and RTL \u202e text",
    "x" * 10_000,
    '=HYPERLINK("http://evil.example")',
]
INPUT_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _signed_in_admin(app):
    make_staff(app, Role.ADMIN, "admin@example.org")
    client = app.test_client()
    token = _csrf_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_unknown_route_gets_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


def test_wrong_method_on_every_route_gets_405_with_allow(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    with app.test_request_context():
        for rule in _rules(app):
            wrong = next(m for m in ("PUT", "DELETE", "PATCH") if m not in rule.methods)
            response = client.open(_sample_url(rule), method=wrong)
            assert response.status_code == 405, rule.rule
            assert "Sorry, that did not work" in response.text
            assert "Allow" in response.headers


def test_oversized_body_on_every_post_route_gets_413(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    with app.test_request_context():
        post_rules = [r for r in _rules(app) if "POST" in r.methods]
        assert post_rules
        for rule in post_rules:
            response = client.post(_sample_url(rule), data={"text": big})
            assert response.status_code == 413, rule.rule
            assert "too big" in response.text


def test_missing_or_stale_csrf_token_on_every_post_route_gets_400(csrf_app):
    client = _signed_in_admin(csrf_app)
    stale = "IjRmZjk2YjQ1ZTk0MzEyZGE5NjQ0NTg1NmJhYmY0OTg4NWM2OTE4MjAi.ZZZZZZ.bad-signature"
    with csrf_app.test_request_context():
        for rule in [r for r in _rules(csrf_app) if "POST" in r.methods]:
            if signed_by_twilio(csrf_app, rule):  # Twilio's signature stands in for CSRF
                assert client.post(_sample_url(rule), data={}).status_code == 403
                continue
            for data in ({}, {"csrf_token": stale}):
                response = client.post(_sample_url(rule), data=data)
                assert response.status_code == 400, rule.rule
                assert "Your form timed out" in response.text, rule.rule


def test_htmx_requests_carry_the_csrf_token_in_a_header(csrf_app):
    client = _signed_in_admin(csrf_app)
    page = client.get("/admin/settings/pages/cookies").text
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        "/admin/settings/pages/cookies",
        data={"text": "New cookies text."},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
def test_hostile_text_in_every_form_field_never_breaks_a_page(app, logged_in_as, nasty):
    client = logged_in_as(Role.ADMIN)
    with app.test_request_context():
        form_rules = [r for r in _rules(app) if {"GET", "POST"} <= r.methods]
        for rule in form_rules:
            url = _sample_url(rule)
            page = client.get(url)
            if page.status_code != 200:
                continue
            names = set(INPUT_NAME.findall(page.text)) - {"csrf_token"}
            response = client.post(url, data={name: nasty for name in names})
            assert response.status_code < 500, f"{rule.rule}: {response.status_code}"
            assert "<script>alert" not in response.text
            assert "<img src=x onerror" not in response.text
            follow = client.get(url)
            assert follow.status_code < 500, rule.rule
            assert "<script>alert" not in follow.text


def test_pages_refuse_to_be_framed_and_forbid_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.text  # every script is a file


def test_production_sends_hsts(database_uri):
    from tests.conftest import build_app

    app = build_app(database_uri, HSTS=True)
    assert "max-age" in app.test_client().get("/").headers["Strict-Transport-Security"]
