"""The survey answered in the right-to-left test language (ar-XB) on a small phone, keyboard
only, with axe checking every page (app/core/languages.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.core.catalogues import mirrored
from tests.a11y import assert_accessible
from tests.browser.keyboard import press_on, tab_to, type_into
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "rtl26"
CONTINUE = "button[value=answer]"


@pytest.fixture(scope="module")
def survey_url(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Right-to-left test round")
    return f"{live_server}/s/{SLUG}"


def heading(page, english: str) -> None:
    expect(page.locator("h1")).to_contain_text(mirrored(english))
    assert_accessible(page)


def test_whole_survey_in_the_right_to_left_language_keyboard_only(browser, survey_url):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(survey_url)
    press_on(page, "a[hreflang=ar-XB]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar-XB")
    heading(page, "Tell us about leaving care")
    press_on(page, "button.govuk-button--start")

    heading(page, "What is your date of birth?")
    type_into(page, "#day", "14")
    type_into(page, "#month", "2")
    type_into(page, "#year", "2007")
    press_on(page, CONTINUE)

    heading(page, "What stage are you at in leaving care?")
    tab_to(page, "input[name=choice]")
    page.keyboard.press("ArrowDown")  # the second choice: "under 18 and I have left care"
    press_on(page, CONTINUE)

    for _ in range(7):  # Q3 to Q11: skip each, as anyone may
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert_accessible(page)
        press_on(page, "button[value=skip]")

    heading(page, "Check your answers before sending them")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        mirrored("I am under 18 and I have left care")
    )
    press_on(page, "form button.govuk-button")
    expect(page.locator(".govuk-panel__title")).to_contain_text(
        mirrored("Your answers have been sent")
    )
    assert_accessible(page)
    context.close()


def _centre(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box["x"] + box["width"] / 2


@pytest.mark.parametrize(("language", "rtl"), [("en", False), ("ar-XB", True)])
def test_exit_this_page_and_the_back_link_are_mirrored(browser, survey_url, language, rtl):
    """Right to left, the back link starts the line on the right and "Exit this page" sits at
    the far end, on the left; English the other way round (a wide screen, where the button
    is not full width)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(f"{survey_url}?lang={language}")
    page.click("button.govuk-button--start")
    page.fill("#day", "14")
    page.fill("#month", "2")
    page.fill("#year", "2007")
    page.click(CONTINUE)
    expect(page.locator(".govuk-back-link")).to_be_visible()
    middle = 1024 / 2
    back, leave = _centre(page, ".govuk-back-link"), _centre(page, ".govuk-exit-this-page")
    print(f"\n{language}: back link at x={back:.0f}, exit this page at x={leave:.0f}")
    assert (back > middle) is rtl
    assert (leave < middle) is rtl
    assert_accessible(page)
    context.close()
