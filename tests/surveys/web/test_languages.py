"""The web survey answered in another language: the test languages en-XA (accented, longer) and
ar-XB (right to left), through the Flask test client."""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlalchemy as sa

from app.core import catalogues, languages
from app.core.extensions import db
from surveys.models import Response
from tests.surveys.web.test_web_survey import ANSWERS, BASE, answer_all


def _stored(app) -> dict[str, dict]:
    with app.app_context():
        [response] = db.session.scalars(sa.select(Response)).all()
        return {a.question.code: a.value for a in response.answers}


def _choose(client, code: str) -> None:
    chosen = client.get(f"{BASE}?lang={code}")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(BASE)


def test_the_start_page_offers_each_language_in_its_own_words(client, round_id):
    page = client.get(BASE).text
    assert '<html lang="en" dir="ltr"' in page
    assert f'href="{BASE}?lang=ar-XB" hreflang="ar-XB" lang="ar-XB" dir="rtl"' in page


@pytest.mark.parametrize(
    ("code", "direction", "transform"),
    [("en-XA", "ltr", catalogues.accented), ("ar-XB", "rtl", catalogues.mirrored)],
)
def test_the_survey_answered_in_a_test_language_stores_the_same_codes_as_english(
    app, client, round_id, code, direction, transform
):
    _choose(client, code)
    start = client.get(BASE).text
    assert f'<html lang="{code}" dir="{direction}"' in start
    assert transform("Tell us about leaving care") in start
    assert transform("Start now") in start
    question = client.post(f"{BASE}/start", follow_redirects=True).text
    assert transform("What is your date of birth?") in question  # the questionnaire's words
    assert transform("Skip this question") in question  # the page's own words
    assert transform("Question %(number)s of %(total)s") % {"number": 1, "total": 9} in question
    q2 = client.get(f"{BASE}/q/Q2").text
    assert transform("I am under 18 and I have left care") in q2
    assert 'value="2"' in q2  # choices keep English's values

    check = answer_all(client)
    assert transform("Check your answers before sending them") in check.text
    assert transform("Other") + ": Living with my nan" in check.text  # a translated choice
    assert transform("Not sure") in check.text
    assert transform("Age %(age)s") % {"age": 19} in check.text
    client.post(f"{BASE}/check")
    stored = _stored(app)
    assert stored["Q2"] == {"choice": "6", "other": "Living with my nan"}
    assert stored["Q3"] == {"choice": ANSWERS["Q3"]["choice"]}
    assert stored["Q11"] == {"choice": "not_sure"}
    assert stored["Q1"] == {"age": 19}


def test_an_answer_error_is_shown_in_the_language_and_staff_pages_stay_in_english(client, round_id):
    _choose(client, "en-XA")
    client.post(f"{BASE}/start")
    error = client.post(f"{BASE}/q/Q3", data={"action": "answer"})
    assert error.status_code == 400
    assert catalogues.accented("There is a problem") in error.text
    staff = client.get("/sign-in").text
    assert '<html lang="en" dir="ltr"' in staff


def test_a_language_not_offered_is_ignored(app, client, round_id):
    app.config["OFFER_TEST_LANGUAGES"] = False
    client.get(f"{BASE}?lang=ar-XB")
    page = client.get(BASE).text
    assert '<html lang="en" dir="ltr"' in page
    assert "ar-XB" not in page


def _help_page(client) -> str:
    client.post(f"{BASE}/start")
    return client.get(f"{BASE}/help?next={BASE}/q/Q1").text


def test_unchecked_language_shows_help_and_safeguarding_text_in_english(client, round_id):
    _choose(client, "en-XA")
    page = _help_page(client)
    assert '<html lang="en-XA"' in page
    assert catalogues.accented("Carry on with the survey") in page  # ordinary wording: translated
    for english in ("Get help now", "Call Samaritans free, any time: 116 123", "Exit this page"):
        assert english in page
        assert catalogues.accented(english) not in page
    assert "In an emergency call 999." in page  # the footer's help line


def test_a_checked_language_shows_its_help_text(client, round_id, monkeypatch):
    """The rule above, switched off: once a translator has checked en-XA, its help shows."""
    real = languages.all_languages()
    checked = {**real, "en-XA": dataclasses.replace(real["en-XA"], checked=True)}
    monkeypatch.setattr(languages, "all_languages", lambda: checked)
    _choose(client, "en-XA")
    page = _help_page(client)
    assert catalogues.accented("Call Samaritans free, any time: 116 123") in page
    assert "Get help now</a>" not in page


def test_cached_page_pieces_are_kept_per_language(client, round_id):
    """The header, footer and choices are cached by content (app/core/fragments.py): a page in
    one language must never reuse another's markup."""
    client.post(f"{BASE}/start")
    english = client.get(f"{BASE}/q/Q2").text
    _choose(client, "ar-XB")
    mirrored = client.get(f"{BASE}/q/Q2").text
    assert catalogues.mirrored("Skip to main content") in mirrored
    assert catalogues.mirrored("Privacy") in mirrored
    assert "I am under 18 and I have left care" in english
    assert not re.search(r">\s*I am under 18 and I have left care", mirrored)
