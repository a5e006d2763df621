"""Static files under content-hashed URLs with a year's cache, and compressed answers."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from app.staff.auth.models import Role
from tests.surveys.conftest import SLUG, make_open_round

YEAR_IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def round_id(app) -> int:
    return make_open_round(app)


@pytest.fixture
def survey_page(client, round_id) -> str:
    return brotli.decompress(client.get(f"/s/{SLUG}", headers={"Accept-Encoding": "br"}).data)


def static_urls(page_html: bytes) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page_html.decode())


def test_pages_name_static_files_by_their_content_and_phones_keep_them_a_year(client, survey_page):
    urls = static_urls(survey_page)
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == YEAR_IMMUTABLE


def test_a_static_file_without_its_current_hash_is_revalidated(client):
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    old = client.get("/static/css/app.css?v=000000000000")
    assert old.headers["Cache-Control"] == "no-cache"


def test_static_files_come_compressed_with_brotli_or_gzip(client, survey_page):
    [css] = [url for url in static_urls(survey_page) if "govuk-frontend.min.css" in url]
    plain = client.get(css).data
    br = client.get(css, headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == plain and len(br.data) < len(plain) / 8
    gz = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain
    assert "Accept-Encoding" in br.headers["Vary"]
    again = client.get(css, headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304


def test_survey_pages_are_compressed_and_still_never_stored(client, round_id):
    page = client.get(f"/s/{SLUG}", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br"
    assert page.headers["Cache-Control"] == "no-store"
    assert b"Start now" in brotli.decompress(page.data)


def test_public_survey_pages_load_no_htmx_but_staff_pages_do(client, round_id, logged_in_as):
    assert b"htmx" not in client.get(f"/s/{SLUG}").data
    assert b"govuk-frontend-public.min.js" in client.get(f"/s/{SLUG}").data
    assert b"htmx.min.js" in logged_in_as(Role.ADMIN).get("/staff").data
