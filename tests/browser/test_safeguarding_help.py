"""On a 360x640 phone, a disclosure shows the help page with its call buttons above the fold;
"Exit this page" works from the keyboard (Shift three times); axe finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "helpnow26"
NEUTRAL = "https://www.bbc.co.uk/weather"


@pytest.fixture(scope="module")
def survey_url(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Help test round")
    return f"{live_server}/s/{SLUG}"


def test_a_disclosure_shows_help_buttons_above_the_fold_and_exit_works(page, survey_url):
    # No network here: the neutral site Exit this page goes to answers with a stub.
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(body="<h1>Weather</h1>"))
    page.goto(survey_url)
    page.click("button.govuk-button--start")
    page.goto(f"{survey_url}/q/Q7")
    page.fill("textarea", "honestly some days i feel like ending it")
    page.click("button[value=answer]")
    expect(page.locator("h1")).to_have_text("Get help now")
    expect(page.get_by_text("Thank you for telling us")).to_be_visible()
    buttons = page.locator(".app-help-button")
    main_width = page.locator("main").bounding_box()["width"]
    for name in ("Call 999", "Samaritans"):
        box = buttons.filter(has_text=name).bounding_box()
        assert box["y"] + box["height"] <= 640, f"{name} is below the fold: {box}"
        assert box["height"] >= 44 and box["width"] >= main_width - 40, box
    assert buttons.filter(has_text="Samaritans").get_attribute("href") == "tel:116123"
    assert buttons.filter(has_text="85258").get_attribute("href").startswith("sms:85258")
    assert_accessible(page)

    page.locator("body").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)


def test_the_help_link_on_any_page_keeps_the_way_on(page, survey_url):
    page.goto(survey_url)
    page.click("button.govuk-button--start")
    page.goto(f"{survey_url}/q/Q2")
    page.click("text=Get help now")
    expect(page.locator("h1")).to_have_text("Get help now")
    expect(page.get_by_text("Thank you for telling us")).to_have_count(0)
    page.click("text=Get help now")  # the page's own link, again
    page.click("text=Carry on with the survey")
    assert page.url.endswith("/q/Q2")
    expect(page.locator(".govuk-exit-this-page")).to_be_visible()
    assert_accessible(page)
