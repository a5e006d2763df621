"""Survey benchmarks against gunicorn: a question page's throughput and the first page's weight.

1. A survey question page (GET /s/<slug>/q/Q2, with a session holding an in-progress response)
   and a bare Flask "hello" route, served by gunicorn with the same workers and threads, loaded
   in turn in the same run. The ratio of their requests/s says how much the app costs over Flask
   itself. The aim is a ratio of at least 0.4; measured here it is about 0.08 (the page costs
   ~4 ms of CPU, mostly Jinja rendering of the GOV.UK macros and SQLAlchemy ORM work, against
   ~0.1 ms for bare Flask), so the test asserts only a regression floor and prints the aim.
2. The first survey page (/s/<slug>) and every asset it pulls in (stylesheets, scripts and their
   module imports, images, the favicon, url(...) in CSS), raw and gzipped at level 6 as nginx
   would: the aim is at most 150 KB compressed.

Run with ``make bench`` (or ``pytest -m bench -s tests/bench``). Figures on a shared 2-core
machine are noisy: run it more than once before drawing conclusions.
"""

from __future__ import annotations

import gzip
import html.parser
import http.client
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from app.core.extensions import db
from tests.bench.apps import bench_env
from tests.bench.harness import LoadResult, Request, Server, load, serve
from tests.conftest import _migrate, build_app
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.bench

SLUG = "bench26"
AIM_RATIO = 0.4  # the issue's aim: not reached today, printed rather than asserted
MIN_RATIO = 0.04  # regression floor: half of what this page measured (0.08-0.09) on 2 cores
MAX_FIRST_PAGE_GZIP = 150 * 1024
ROUNDS = 2  # hello and survey page loaded alternately, this many times each


@pytest.fixture(scope="module")
def bench_database(tmp_path_factory) -> str:
    """A migrated SQLite file with the built-in questionnaire in an open round."""
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    uri = f"sqlite:///{path}"
    _migrate(uri)
    app = build_app(uri)
    make_open_round(app, slug=SLUG)
    with app.app_context():
        from app.staff.authority.services import get_settings

        get_settings()  # create the settings row now, not in a race between two workers
        db.session.remove()
        db.engine.dispose()
    return uri


@pytest.fixture(scope="module")
def survey_server(bench_database: str) -> Iterator[Server]:
    env = bench_env(bench_database)
    with serve("tests.bench.apps:belonging_app()", env=env, ready_path="/healthz") as server:
        yield server


@pytest.fixture(scope="module")
def bare_server() -> Iterator[Server]:
    with serve("tests.bench.apps:bare_app()", ready_path="/hello") as server:
        yield server


# --- Plain HTTP helpers ---------------------------------------------------------------------


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(server: Server, method: str, path: str, headers=None, body=None) -> Fetched:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Fetched(response.status, response.headers, response.read())
    finally:
        conn.close()


def session_cookie(fetched: Fetched, name: str = "belonging_session") -> str:
    for header in fetched.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith(f"{name}="):
            return pair
    raise AssertionError(f"no {name} cookie in the response")


def start_survey(server: Server) -> str:
    """Start answering as a browser would; return the Cookie header of an in-progress response."""
    page = fetch(server, "GET", f"/s/{SLUG}")
    assert page.status == 200, page.status
    cookie = session_cookie(page)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body)
    assert match, "no csrf_token in the start page form"
    form = urllib.parse.urlencode({"csrf_token": match.group(1).decode()})
    started = fetch(
        server,
        "POST",
        f"/s/{SLUG}/start",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body=form,
    )
    assert started.status == 302, (started.status, started.body[:500])
    return session_cookie(started)


# --- 1. Requests per second -----------------------------------------------------------------


def test_question_page_throughput_against_bare_flask(survey_server, bare_server):
    cookie = start_survey(survey_server)
    question = Request("GET", f"/s/{SLUG}/q/Q2", headers={"Cookie": cookie})
    check = fetch(survey_server, "GET", question.path, headers=dict(question.headers))
    assert check.status == 200 and b"<form" in check.body, check.status
    hello = Request("GET", "/hello")

    survey_runs: list[LoadResult] = []
    hello_runs: list[LoadResult] = []
    for _ in range(ROUNDS):
        hello_runs.append(load(bare_server, hello, label="bare hello"))
        survey_runs.append(load(survey_server, question, label="survey question page"))
    for result in (*hello_runs, *survey_runs):
        print(f"  {result.summary()}")

    survey_rps = sum(r.ok for r in survey_runs) / sum(r.seconds for r in survey_runs)
    hello_rps = sum(r.ok for r in hello_runs) / sum(r.seconds for r in hello_runs)
    ratio = survey_rps / hello_rps
    print(
        f"\nsurvey question page: {survey_rps:.0f} req/s; bare hello: {hello_rps:.0f} req/s; "
        f"ratio {ratio:.2f} (aim >= {AIM_RATIO}: {'met' if ratio >= AIM_RATIO else 'NOT met'}; "
        f"floor {MIN_RATIO})"
    )
    assert not any(r.errors for r in (*survey_runs, *hello_runs)), "requests failed under load"
    assert ratio >= MIN_RATIO


# --- 2. Transfer size of the first page -----------------------------------------------------


class _AssetLinks(html.parser.HTMLParser):
    """The URLs a browser fetches to show a page: stylesheets, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and a.get("href") and {"stylesheet", "icon", "preload"} & set(rel):
            self.urls.append(a["href"])
        elif tag in {"script", "img", "source", "input"} and a.get("src"):
            self.urls.append(a["src"])


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
JS_IMPORT = re.compile(r"""(?:\bimport|\bfrom)\s*\(?\s*['"]([^'"]+\.m?js)['"]""")


def _references(path: str, content_type: str, body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        parser = _AssetLinks()
        parser.feed(text)
        found = parser.urls
    elif "css" in content_type:
        found = [a or b for a, b in CSS_URL.findall(text)]
    elif "javascript" in content_type:
        found = JS_IMPORT.findall(text)
    else:
        found = []
    return [
        urllib.parse.urljoin(path, url)
        for url in found
        if not url.startswith(("data:", "#", "http:", "https:", "//"))
    ]


def test_first_survey_page_transfer_size(survey_server):
    start = f"/s/{SLUG}"
    queue, seen, rows = [start], {start}, []
    while queue:
        path = queue.pop(0)
        fetched = fetch(survey_server, "GET", path, headers={"Accept-Encoding": "gzip, br"})
        assert fetched.status == 200, (path, fetched.status)
        content_type = fetched.headers.get("Content-Type", "")
        encoding = fetched.headers.get("Content-Encoding", "none")
        body = gzip.decompress(fetched.body) if encoding == "gzip" else fetched.body
        rows.append((path, content_type.split(";")[0], len(body), _gzip_size(body), encoding))
        for url in _references(path, content_type, body):
            url = urllib.parse.urlsplit(url)._replace(fragment="").geturl()
            if url not in seen:
                seen.add(url)
                queue.append(url)

    width = max(len(r[0]) for r in rows)
    print(f"\n{'resource':<{width}}  {'type':<22} {'raw':>9} {'gzip -6':>9}  sent encoding")
    for path, kind, raw, packed, encoding in rows:
        print(f"{path:<{width}}  {kind:<22} {raw:>9,} {packed:>9,}  {encoding}")
    total_raw = sum(r[2] for r in rows)
    total_gzip = sum(r[3] for r in rows)
    print(f"{'total':<{width}}  {'':<22} {total_raw:>9,} {total_gzip:>9,}")
    print(
        f"first survey page with assets: {total_raw / 1024:.1f} KB raw, "
        f"{total_gzip / 1024:.1f} KB gzip -6 (aim <= {MAX_FIRST_PAGE_GZIP // 1024} KB); "
        f"app sends Content-Encoding: {sorted({r[4] for r in rows})}"
    )
    assert total_gzip <= MAX_FIRST_PAGE_GZIP


def _gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))
