"""A care leaver answers the whole survey on a small phone with the keyboard only.

Runs twice, with JavaScript on (GOV.UK Frontend's components; no htmx on these pages) and off.
Covers skip, back, change from "check your answers", and save-and-resume on a second device; axe
checks every page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible, assert_accessible_without_js
from tests.browser.keyboard import press_on, tab_to, type_into
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "phone26"
CONTINUE = "button[value=answer]"


@pytest.fixture(scope="module")
def survey_url(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Browser test round")
    return f"{live_server}/s/{SLUG}"


@pytest.fixture(scope="module")
def checker(browser):
    """A JavaScript-on page where axe checks what the JavaScript-off phone showed."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    yield context.new_page()
    context.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def phone(request, browser, checker):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.js_enabled = request.param
    page.checker = checker
    yield page
    context.close()


def check(page) -> None:
    """No error page, and axe finds no serious or critical problem (with or without JS)."""
    expect(page.locator("h1")).not_to_have_text(re.compile("Sorry|not found", re.I))
    if page.js_enabled:
        assert_accessible(page)
    else:
        assert_accessible_without_js(page, page.checker)


def heading(page, text: str) -> None:
    expect(page.locator("h1")).to_contain_text(text)


def test_whole_survey_keyboard_only(phone, survey_url, browser):
    page = phone
    page.goto(survey_url)
    heading(page, "Tell us about leaving care")
    check(page)
    press_on(page, "button.govuk-button--start")

    # Q1 date of birth: a wrong date first, to see the plain error, then a real one.
    heading(page, "What is your date of birth?")
    check(page)
    type_into(page, "#day", "31")
    type_into(page, "#month", "2")
    type_into(page, "#year", "2005")
    press_on(page, CONTINUE)
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    check(page)
    tab_to(page, "#day")
    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    year = str(date.today().year - 19)
    tab_to(page, "#year")
    page.keyboard.press("Control+A")
    page.keyboard.type(year)
    press_on(page, CONTINUE)

    # Q2: choose "Other" and describe it.
    heading(page, "What stage are you at in leaving care?")
    expect(page.locator(".govuk-caption-m")).to_have_text("Question 2 of 9")
    check(page)
    tab_to(page, "input[name=choice]")
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    type_into(page, "#other", "Living with my nan")
    press_on(page, CONTINUE)

    # Q3: skip it.
    heading(page, "Are you male or female?")
    check(page)
    press_on(page, "button[value=skip]")

    # Q4: two of the best things, then go back and see them kept.
    heading(page, "best 3 things")
    check(page)
    type_into(page, "#item-1", "My own flat")
    type_into(page, "#item-2", "My PA")
    press_on(page, CONTINUE)
    heading(page, "worst 3 things")
    press_on(page, "a.govuk-back-link")
    heading(page, "best 3 things")
    expect(page.locator("#item-1")).to_have_value("My own flat")
    press_on(page, CONTINUE)

    # Q5: save for later and carry on from another phone with the code.
    heading(page, "worst 3 things")
    type_into(page, "#item-1", "Bills")
    press_on(page, CONTINUE)
    heading(page, "better prepared")
    press_on(page, "a[href$='/save']")
    heading(page, "Carry on later")
    check(page)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", page.locator("main").inner_text())[0]

    other_context = browser.new_context(
        viewport={"width": 360, "height": 640}, java_script_enabled=page.js_enabled
    )
    other = other_context.new_page()
    other.js_enabled, other.checker = page.js_enabled, page.checker
    other.goto(survey_url)
    press_on(other, "a[href$='/resume']")
    heading(other, "Carry on with the survey")
    check(other)
    type_into(other, "#code", code)
    other.keyboard.press("Enter")
    other.wait_for_load_state()
    heading(other, "better prepared")  # the first question not yet answered

    # Q6 to Q12 on the second phone.
    type_into(other, "#item-1", "Learning to cook")
    press_on(other, CONTINUE)
    heading(other, "advice")
    type_into(other, "#text", "Ask for help early.")
    press_on(other, CONTINUE)
    heading(other, "forum")
    check(other)
    tab_to(other, "input[name=choice]")
    other.keyboard.press("Space")
    press_on(other, CONTINUE)
    heading(other, "anything else")
    press_on(other, "button[value=skip]")

    # Check your answers, change Q3 from there, and send.
    heading(other, "Check your answers")
    check(other)
    summary = other.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Age 19")
    expect(summary).to_contain_text("Other: Living with my nan")
    expect(summary).to_contain_text("My own flat")
    press_on(other, "a[href*='/q/Q3?change=1']")
    heading(other, "Are you male or female?")
    tab_to(other, "input[name=choice]")
    other.keyboard.press("Space")
    press_on(other, CONTINUE)
    heading(other, "Check your answers")
    expect(other.locator(".govuk-summary-list")).to_contain_text("Male")
    press_on(other, "main button.govuk-button")
    expect(other.locator(".govuk-panel__title")).to_have_text("Your answers have been sent")
    check(other)
    other_context.close()
