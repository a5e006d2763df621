"""The easy-read edition, chosen like a language on the start page, through the test client."""

from __future__ import annotations

import re
import tomllib

import sqlalchemy as sa

from app.core.extensions import db
from surveys.easy_read import EASY_READ
from surveys.models import Response
from surveys.translations import TRANSLATIONS_DIR
from tests.surveys.web.test_web_survey import ANSWERS, BASE, answer_all

PICTURES = TRANSLATIONS_DIR.parents[2] / "static" / "images" / "easy-read"


def _stored(app) -> dict[str, dict]:
    with app.app_context():
        [response] = db.session.scalars(sa.select(Response)).all()
        return {a.question.code: a.value for a in response.answers}


def _choose_easy_read(client) -> None:
    chosen = client.get(f"{BASE}?lang={EASY_READ}")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(BASE)


def test_the_start_page_offers_easy_read_to_everyone(client, round_id):
    page = client.get(BASE).text
    assert f'href="{BASE}?lang={EASY_READ}" hreflang="{EASY_READ}" lang="{EASY_READ}"' in page
    assert ">Easy read</a>" in page


def test_easy_read_start_page_has_one_idea_a_line(client, round_id):
    _choose_easy_read(client)
    page = client.get(BASE).text
    assert f'<html lang="{EASY_READ}" dir="ltr"' in page
    assert "This is a survey about leaving care.<br>We want to make care better." in page
    assert "New Belongings programme which aims" not in page


def test_each_easy_read_question_has_a_picture_with_alt_text(client, round_id):
    _choose_easy_read(client)
    client.post(f"{BASE}/start")
    for code in ANSWERS:
        page = client.get(f"{BASE}/q/{code}").text
        pictures = re.findall(r'<svg class="app-easy-read-picture" role="img" aria-label="', page)
        assert len(pictures) == 1, code
    page = client.get(f"{BASE}/q/Q1").text
    assert "When were you born?" in page
    assert 'aria-label="A birthday cake"' in page
    assert "For example, 27 3 2007.<br>We use it to work out your age.<br>" in page


def test_english_pages_have_no_pictures(client, round_id):
    client.post(f"{BASE}/start")
    page = client.get(f"{BASE}/q/Q1").text
    assert "app-easy-read-picture" not in page and "<br>" not in page


def test_easy_read_answers_are_stored_with_the_english_codes(app, client, round_id):
    _choose_easy_read(client)
    check = answer_all(client)
    assert "Where are you now?" in check.text
    assert "Other: Living with my nan" in check.text
    assert client.post(f"{BASE}/check").status_code == 302
    stored = _stored(app)
    assert stored["Q2"] == {"choice": "6", "other": "Living with my nan"}
    assert stored["Q3"] == {"choice": "2"}
    assert stored["Q11"] == {"choice": "not_sure"}


def test_every_picture_the_editions_name_is_shipped_and_small():
    for path in TRANSLATIONS_DIR.glob(f"*.{EASY_READ}.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for code, entry in data.items():
            if isinstance(entry, dict):
                assert entry.get("picture") and entry.get("picture_alt"), (path.name, code)
                svg = PICTURES / f"{entry['picture']}.svg"
                assert svg.is_file() and svg.stat().st_size < 600, svg
