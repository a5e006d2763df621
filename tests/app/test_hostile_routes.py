"""The hostile walk: every route, every method, every role, with the values an attacker tries.

Against the fictional demo (so ids in URLs reach real records and forms), each role signs in and
sends every route: huge, negative and zero ids; query strings with out-of-range numbers, words
where numbers belong, impossible dates and a line break in ``next=``; and for each form, an
empty post, every field as a huge number, every field as an impossible date, and date fields
posted without their day, month and year parts. Nothing may answer 500 or show a traceback.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.demo import DEMO_ACCOUNTS, seed_demo
from app.staff.auth.access import PUBLIC, allowed_roles
from tests.app.test_access import PLACEHOLDER, _rules, signed_by_twilio
from tests.data_sizes import statements

HUGE = "99999999999999999999"
IDS = ["1", "2147483648", "9223372036854775807", HUGE, "0"]
QUERY = (
    "?round=abc&round_id=" + HUGE + "&page=" + HUGE + "&since=9999-12-31&date_from=9999-12-31"
    "&date_to=0000-00-00&band=Not+known&team=%00&next=/staff%0d%0aLocation:%20http://evil.example"
    "&status=" + "x" * 300 + "&q=%FF%FE"
)
BOARD_SNAPSHOT = re.compile(r"^(INSERT INTO|UPDATE) board_snapshot\b")
INPUT_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


@pytest.fixture
def demo_app(app: Flask) -> Flask:
    with app.app_context():
        seed_demo()
    return app


def _urls(rule) -> list[str]:
    if "<" not in rule.rule:
        return [rule.rule]

    def fill(value: str):
        def one(match: re.Match) -> str:
            if match["converter"] == "any":
                return match["args"].split(",")[0].strip()
            if match["converter"] in ("int", None, "string", "path"):
                return value
            return "00000000-0000-0000-0000-000000000000"

        return one

    return [PLACEHOLDER.sub(fill(value), rule.rule) for value in IDS]


def _field_posts(names: set[str]) -> list[dict]:
    return [
        {},
        {name: HUGE for name in names},
        {name: "-1" for name in names},
        {name: "9999-12-31" for name in names},
        {name: ["31"] for name in names},  # a date field posted with its day only
        {name: ["", "", ""] for name in names},
    ]


def _check(response, what: str) -> None:
    if response.status_code == 503 and response.is_json and response.json["status"] == "stale":
        # /healthz saying a part is stale is its answer, not a failure: the walk runs on a
        # ticking clock, so on a busy machine the demo worker's last beat ages past its limit.
        return
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype.startswith("text/"):
        assert "Traceback" not in response.get_data(as_text=True), what


def test_no_route_answers_500_to_hostile_values_for_any_role(demo_app: Flask):
    # One demo for all six roles (seeding it is the slow part); each role has its own browser.
    # Every GET on the way is watched: none may write (tests/data_sizes.py, issue 20), but
    # for the board's snapshot, which the board's GET moves once enough has changed (here: a
    # round the walk closed). Moving it in a job instead would leave the board on stale
    # figures until the job runs; left for the board's own issue (see app/board/services.py).
    with statements(demo_app) as log:
        for account in DEMO_ACCOUNTS:
            _walk(demo_app, account)
    written = sorted(
        {s for method, s in log.writes if method == "GET" and not BOARD_SNAPSHOT.match(s)}
    )
    assert not written, "a GET wrote to the database:\n" + "\n".join(written)


def _walk(demo_app: Flask, account) -> None:
    role = account.role.value
    client = demo_app.test_client()
    signed = client.post("/sign-in", data={"email": account.email, "password": account.password})
    assert signed.status_code == 302
    with demo_app.test_request_context():
        rules = [r for r in _rules(demo_app) if not signed_by_twilio(demo_app, r)]
        allowed = {
            r.endpoint: allowed_roles(r.endpoint) for r in rules if r.endpoint != "auth.sign_out"
        }
    for rule in rules:
        if rule.endpoint == "auth.sign_out":
            continue
        roles = allowed[rule.endpoint]
        mine = roles == PUBLIC or account.role in roles
        for url in _urls(rule):
            if "GET" in rule.methods:
                page = client.get(url + QUERY)
                _check(page, f"{role}: GET {url}{QUERY[:40]}")
                page = client.get(url)
                _check(page, f"{role}: GET {url}")
            if "POST" not in rule.methods:
                continue
            names = set()
            if mine and "GET" in rule.methods and page.status_code == 200:
                names = set(INPUT_NAME.findall(page.get_data(as_text=True))) - {"csrf_token"}
            for data in _field_posts(names) if mine else [{}]:
                _check(client.post(url, data=data), f"{role}: POST {url} {sorted(data)[:5]}")
