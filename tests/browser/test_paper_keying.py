"""A data entry clerk keys 20 paper forms with the keyboard only, and they count as "paper".

The serial field has focus when the page opens; each form is typed in tab order with option
numbers, saved with Enter on "Save and next", and the next empty form opens with the serial
focused again. The htmx serial check, a refused duplicate serial and axe are covered too.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.extensions import db
from surveys.models import SurveyRound
from surveys.paper import services as paper
from surveys.rounds.services import round_figures
from tests.a11y import assert_accessible
from tests.browser.keyboard import focused_matches, press_on, tab_to, type_into, wait_until_enhanced
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "paper26"
FORMS = 20
SAVE = "#keying-form button.govuk-button"


@pytest.fixture(scope="module")
def keying_url(live_app, live_server) -> str:
    round_id = make_open_round(live_app, slug=SLUG, name="Paper keying round")
    with live_app.app_context():
        paper.allocate_serials(db.session.get(SurveyRound, round_id), FORMS + 5)  # printed
    return f"{live_server}/staff/paper/rounds/{round_id}/key"


@pytest.fixture
def desk(browser):
    """A desktop screen: keyers work at a desk."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/sign-in")
    type_into(page, "#email", "entry@northbridge.example")
    type_into(page, "#password", "demo-entry-pass")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Hello")


def _key_one(page, n: int) -> None:
    # A new form starts with the serial focused (autofocus applies just after the page loads).
    wait_until_enhanced(page)
    expect(page.locator("#serial")).to_be_focused(timeout=5000)
    keys = page.keyboard
    keys.type(f"{SLUG.upper()}-{n:04d}")
    for text in ("14 2 2005", str(3 + n % 3), "", str(1 + n % 2), f"Own space {n}", "My PA"):
        keys.press("Tab")
        keys.type(text)
    press_on(page, SAVE)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Saved {SLUG.upper()}-{n:04d}"
    )


def test_twenty_forms_keyed_keyboard_only_count_as_paper(desk, live_app, live_server, keying_url):
    page = desk
    _sign_in(page, live_server)
    page.goto(keying_url)
    expect(page.locator("h1")).to_have_text("Key forms")
    assert_accessible(page)

    # The inline check (htmx) as the serial is typed.
    page.keyboard.type("paper26-1")
    expect(page.locator("#serial-status")).to_contain_text("PAPER26-0001 is ready to key")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")

    started = time.perf_counter()
    for n in range(1, FORMS + 1):
        _key_one(page, n)
    took = time.perf_counter() - started
    print(f"\n{FORMS} forms keyed keyboard-only in {took:.1f} s ({took / FORMS:.2f} s a form)")

    # A serial already keyed is refused, clearly, and the page is still accessible.
    wait_until_enhanced(page)
    expect(page.locator("#serial")).to_be_focused(timeout=5000)
    page.keyboard.type(f"{SLUG.upper()}-0003")
    page.keyboard.press("Tab")  # leaving the field checks it too, even before htmx has loaded
    expect(page.locator("#serial-status")).to_contain_text("has already been keyed")
    if not focused_matches(page, "#Q1"):
        tab_to(page, "#Q1")
    page.keyboard.type("19")
    press_on(page, SAVE)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Serial {SLUG.upper()}-0003 has already been keyed"
    )
    assert_accessible(page)

    with live_app.app_context():
        survey_round = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == SLUG))
        figures = round_figures(survey_round)
        paper = next(c for c in figures.by_channel if c.channel == "paper")
        assert (paper.complete, figures.complete, figures.in_progress) == (FORMS, FORMS, 0)
        db.session.remove()
