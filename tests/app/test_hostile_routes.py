"""The hostile walk: every route, every method, every role, with the values an attacker tries.

Against the fictional demo (so ids in URLs reach real records and forms), each role signs in and
sends every route: huge, negative and zero ids; query strings with out-of-range numbers, words
where numbers belong, impossible dates and a line break in ``next=``; and for each form, an
empty post, every field as a huge number, every field as an impossible date, and date fields
posted without their day, month and year parts. Nothing may answer 500 or show a traceback.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.core.extensions import db
from app.demo import DEMO_ACCOUNTS, seed_demo
from app.staff.auth.access import PUBLIC, allowed_roles
from app.staff.auth.models import Role
from surveys.models import RoundStatus, SurveyRound
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


# --- One field at a time ---------------------------------------------------------------------

# Forms that end something for good: left out, so the walk still finds the demo's records.
ENDS = re.compile(r"sign-out|erase|delete|discard|remove|retire|refuse|withdraw|void|/send")
# Forms that make a PDF (seconds each): the walk above sends them bad values.
PDFS = re.compile(r"print|letters|pack")


class _Forms(HTMLParser):
    """Each POST form on a page: its action and what it would send as the page fills it in
    (the value of each field, checked boxes, the selected or first option of a list)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: tuple[str, list[str]] | None = None  # (name, [first option, selected...])
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        if self._fields is None or "disabled" in a:
            return
        name, kind = a.get("name", ""), a.get("type", "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "file", "image"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._fields.setdefault(name, []).append(a.get("value", ""))
            elif kind == "radio":
                self._fields.setdefault(name, [])
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            options = self._select[1]
            if not options or "selected" in a:
                options[:] = [a.get("value", "")] if "selected" in a else options[:1] or [""]
                if "selected" not in a:
                    options[0] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._fields is not None:
            self._fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._fields is not None:
            name, chosen = self._select
            self._fields.setdefault(name, []).extend(chosen[:1])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._fields = None


def _forms(url: str, html: str) -> list[tuple[str, dict[str, list[str]]]]:
    parser = _Forms()
    parser.feed(html)
    return [(urlsplit(urljoin(url, action or url)).path, fields) for action, fields in parser.forms]


def test_each_field_left_blank_alone_gets_a_message_not_a_500(demo_app: Flask):
    """Every form on every page an admin sees, filled in as the page fills it, with one field at
    a time only spaces: a box that looks empty, which a required field's check lets through (it
    asks only that something was sent), and which a whole form of bad values (above) never
    reaches, as its first invalid field stops it. (Found: the settings' escalation hours, which
    the form says to leave empty for 24; a progress note; a plan objective: each a 500.)"""
    role = Role.ADMIN
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    client = demo_app.test_client()
    signed = client.post("/sign-in", data={"email": account.email, "password": account.password})
    assert signed.status_code == 302
    with demo_app.test_request_context():
        pages = [
            PLACEHOLDER.sub("1", r.rule)
            for r in _rules(demo_app)
            if "GET" in r.methods and not signed_by_twilio(demo_app, r)
        ]
    tried: set[tuple[str, tuple[str, ...]]] = set()
    for page_url in pages:
        if ENDS.search(page_url) or "export" in page_url or "download" in page_url:
            continue
        page = client.get(page_url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for action, fields in _forms(page_url, page.get_data(as_text=True)):
            key = (re.sub(r"\d+", "N", action), tuple(sorted(fields)))
            if ENDS.search(action) or PDFS.search(action) or action == "/sign-in" or key in tried:
                continue
            tried.add(key)
            for name in sorted(set(fields) - {"csrf_token"}):
                sent = client.post(action, data={**fields, name: "   "})
                _check(sent, f"{role.value}: POST {action} {name} as spaces (from {page_url})")
    assert len(tried) > 20, tried  # the walk reached the demo's forms


# --- The public side, as a young person goes through it --------------------------------------

# What a young person's phone or a keyboard slip may send in one box: spaces, nothing, a NUL,
# a number too big for any column, a right-to-left override, a wall of text.
ONE_BOX = ("   ", "", "\x00", HUGE, "\u202e", "x" * 5000)


def _each_field_hostile(client, page_url: str, action: str, fields, also=None) -> None:
    """Post the form as its page fills it, with one field at a time as each of ONE_BOX (and,
    for a survey question, with each of its buttons), then with nothing but its CSRF token."""
    for name in sorted(set(fields) - {"csrf_token", "action"}):
        for value in ONE_BOX:
            for extra in also or [{}]:
                sent = client.post(action, data={**fields, name: value, **extra})
                _check(sent, f"public: POST {action} {name}={value[:8]!r} {extra} ({page_url})")
    sent = client.post(action, data={"csrf_token": fields.get("csrf_token", [""])})
    _check(sent, f"public: POST {action} with only its token ({page_url})")


def test_the_public_survey_takes_hostile_values_in_each_box_without_a_500(demo_app: Flask):
    """A young person answering the demo's open round, page by page, as an anonymous browser
    would (the walks above reach the survey's pages only without a response, so they stop at
    its start): each question page's boxes, one at a time, sent with each of its buttons
    (answer, skip, back, save), the check page, the thank-you page's sign-up forms, the resume
    code form and every other public page's form. Each gets a page or a message, never a 500."""
    with demo_app.app_context():
        slug = db.session.scalars(
            sa.select(SurveyRound.slug).where(SurveyRound.status == RoundStatus.OPEN)
        ).first()
    assert slug, "the demo has an open round"
    client = demo_app.test_client()
    start = f"/s/{slug}"
    action, fields = _forms(start, client.get(start).get_data(as_text=True))[0]
    url = client.post(action, data=fields).headers["Location"]
    buttons = [{"action": a} for a in ("answer", "skip", "back", "save")]
    asked = 0
    while "/q/" in url:
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        action, fields = next(f for f in _forms(url, page.get_data(as_text=True)) if "/q/" in f[0])
        _each_field_hostile(client, url, action, fields, buttons)
        asked += 1
        url = client.post(action, data={**fields, "action": "skip"}).headers["Location"]
    assert asked >= 5 and url.endswith("/check"), (asked, url)
    page = client.get(url)
    action, fields = _forms(url, page.get_data(as_text=True))[0]
    assert client.post(action, data=fields).headers["Location"].endswith("/thanks")
    thanks = f"/s/{slug}/thanks"
    sign_ups = _forms(thanks, client.get(thanks).get_data(as_text=True))
    assert any("keep-in-touch" in action for action, _fields in sign_ups), sign_ups
    with demo_app.test_request_context():
        others = [
            PLACEHOLDER.sub(slug, r.rule)
            for r in _rules(demo_app)
            if "GET" in r.methods and allowed_roles(r.endpoint) == PUBLIC
        ]
    tried = set()
    for page_url in [thanks, *others]:
        page = client.get(page_url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for action, fields in _forms(page_url, page.get_data(as_text=True)):
            if (action, tuple(sorted(fields))) not in tried:
                tried.add((action, tuple(sorted(fields))))
                _each_field_hostile(client, page_url, action, fields)
    reached = {re.sub(r"/s/[^/]+/", "/s/R/", action) for action, _fields in tried}
    assert {"/s/R/resume", "/s/R/keep-in-touch/forum", "/sign-in"} <= reached, reached
