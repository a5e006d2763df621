"""A participation worker tries the text message survey in the phone simulator.

With JavaScript on, htmx swaps the phone in place; with it off, the form posts and redirects.
Both show the replies that came back through the signed webhook. axe checks each state.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible, assert_accessible_without_js
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "sms26"


@pytest.fixture(scope="module")
def sms_round(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Text survey round", channels=("web", "sms"))
    return live_server


@pytest.fixture(scope="module")
def checker(browser):
    """A JavaScript-on page where axe checks what the JavaScript-off page showed."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    yield context.new_page()
    context.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def page(request, browser, sms_round, checker):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.js_enabled, page.checker = request.param, checker
    page.goto(sms_round + "/sign-in")
    page.get_by_label("Email address").fill("worker@northbridge.example")
    page.locator("#password").fill("demo-worker-pass")
    page.get_by_role("button", name="Sign in").click()
    yield page
    context.close()


def check(page) -> None:
    if page.js_enabled:
        assert_accessible(page)
    else:
        assert_accessible_without_js(page, page.checker)


def test_a_worker_texts_the_survey_and_sees_the_replies(page, sms_round):
    page.goto(sms_round + "/staff/sms/simulator")
    expect(page.get_by_role("heading", name="Phone simulator")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Start again with an empty phone").click()

    # Each run is its own pretend phone: the live database is shared by both runs.
    number = "07700 900555" if page.js_enabled else "07700 900556"
    page.get_by_label("Pretend mobile number").fill(number)
    page.get_by_label("Text message").fill(SLUG.upper())
    page.get_by_role("button", name="Send text").click()
    texts = page.get_by_role("log")
    expect(texts).to_contain_text("anonymous")
    expect(texts).to_contain_text("1/9")

    page.get_by_label("Text message").fill("14/2/2006")
    page.get_by_role("button", name="Send text").click()
    expect(texts).to_contain_text("2/9")
    expect(page.get_by_label("Text message")).to_have_value("")
    check(page)

    page.get_by_label("Text message").fill("HELP")
    page.get_by_role("button", name="Send text").click()
    expect(texts).to_contain_text("116 123")

    page.get_by_role("button", name="Send text").click()  # nothing typed
    expect(page.locator(".govuk-error-summary")).to_contain_text("Type a text message")
    check(page)
