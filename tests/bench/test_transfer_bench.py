"""The first survey page's weight: the page and every asset it pulls in (stylesheets, scripts
and their module imports, images, the favicon, url(...) in CSS), fetched from gunicorn as a cold
phone would, raw and gzipped at level 6 as nginx would: the aim is at most 150 KB compressed.
(The survey's requests per second are measured in test_hotpaths_bench.py.)

Run with ``make bench`` (or ``pytest -m bench -s tests/bench/test_transfer_bench.py``).
"""

from __future__ import annotations

import gzip
import html.parser
import re
import urllib.parse

import brotli
import pytest

from tests.bench.clients import SLUG, fetch
from tests.bench.test_hotpaths_bench import (  # noqa: F401 - the shared fixtures
    app_server,
    bench_database,
)

pytestmark = pytest.mark.bench

MAX_FIRST_PAGE_GZIP = 150 * 1024
# What a browser undoes before it reads a page for the assets it needs.
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


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


def test_first_survey_page_transfer_size(app_server):  # noqa: F811 - the fixture
    start = f"/s/{SLUG}"
    queue, seen, rows = [start], {start}, []
    while queue:
        path = queue.pop(0)
        fetched = fetch(app_server, "GET", path, headers={"Accept-Encoding": "gzip, br"})
        assert fetched.status == 200, (path, fetched.status)
        content_type = fetched.headers.get("Content-Type", "")
        encoding = fetched.headers.get("Content-Encoding", "none")
        body = DECODE.get(encoding, bytes)(fetched.body)
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
