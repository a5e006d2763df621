"""pa11y (HTML_CodeSniffer, WCAG2AA) beside axe on every public survey page in every language
(en, en-XA, ar-XB, easy read), and the survey answered in easy read, keyboard only, on a small
phone (360x640) with axe and pa11y on each page, and its bytes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from surveys.easy_read import EASY_READ
from tests.a11y import assert_accessible
from tests.browser.keyboard import press_on, tab_to, type_into
from tests.browser.test_light_pages import KB, WHOLE_RUN_MAX, Meter, answer_and_continue
from tests.pa11y.harness import Pa11y, running_pa11y
from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "easy26"
LANGUAGES = ("en", "en-XA", "ar-XB", EASY_READ)
OTHER_PUBLIC_PAGES = ("/", "/you-said-we-did", "/privacy", "/accessibility", "/cookies")
CONTINUE = "button[value=answer]"


@pytest.fixture(scope="module")
def survey_url(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Easy read test round")
    return f"{live_server}/s/{SLUG}"


@pytest.fixture(scope="module")
def pa11y() -> Pa11y:
    with running_pa11y() as checker:
        yield checker


def both_clean(pa11y: Pa11y, page, *, posted: bool = False) -> None:
    assert_accessible(page)
    pa11y.assert_clean(page, posted=posted)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_survey_page_is_pa11y_and_axe_clean(browser, survey_url, pa11y, language):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(f"{survey_url}?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    both_clean(pa11y, page)
    for extra in ("help", "resume"):
        page.goto(f"{survey_url}/{extra}")
        both_clean(pa11y, page)
    page.goto(survey_url)
    page.click("button.govuk-button--start")
    page.fill("#day", "31")  # a date that does not exist: the error summary and message
    page.fill("#month", "2")
    page.fill("#year", "2006")
    page.click(CONTINUE)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    both_clean(pa11y, page, posted=True)
    answer_and_continue(page)  # now a real date
    for _ in range(20):
        page.wait_for_load_state()
        both_clean(pa11y, page)
        if page.url.endswith("/check"):
            break
        answer_and_continue(page)
    page.goto(f"{survey_url}/save")
    both_clean(pa11y, page)
    page.goto(f"{survey_url}/check")
    page.click("main button.govuk-button")
    expect(page).to_have_url(f"{survey_url}/thanks")
    both_clean(pa11y, page)
    if language == "en":
        for path in OTHER_PUBLIC_PAGES:
            page.goto(survey_url.split("/s/")[0] + path)
            both_clean(pa11y, page)
    context.close()
    print(f"\n{language}: pa11y and axe clean on {len(pa11y.checked)} pages so far")


def picture(page, alt: str) -> None:
    """The question's picture is shown, phone-sized, and named for screen readers."""
    image = page.locator(f'main svg[role=img][aria-label="{alt}"]')
    expect(image).to_be_visible()
    box = image.bounding_box()
    assert box and box["width"] <= 64 and box["x"] + box["width"] <= 360


def test_the_survey_in_easy_read_keyboard_only_on_a_small_phone(browser, survey_url, pa11y):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    meter = Meter(page)
    page.goto(survey_url)
    press_on(page, f"a[hreflang={EASY_READ}]")
    expect(page.locator("html")).to_have_attribute("lang", EASY_READ)
    expect(page.locator("main")).to_contain_text("We want to make care better.")
    both_clean(pa11y, page)
    press_on(page, "button.govuk-button--start")

    expect(page.locator("h1")).to_have_text("When were you born?")
    picture(page, "A birthday cake")
    both_clean(pa11y, page)
    type_into(page, "#day", "14")
    type_into(page, "#month", "2")
    type_into(page, "#year", "07")  # a two-digit year, as by text
    press_on(page, CONTINUE)

    expect(page.locator("h1")).to_have_text("Where are you now?")
    picture(page, "A house")
    both_clean(pa11y, page)
    tab_to(page, "input[name=choice]")
    page.keyboard.press("ArrowDown")  # the second: "I am under 18. I have left care."
    press_on(page, CONTINUE)

    expect(page.locator("h1")).to_have_text("Are you a man or a woman?")
    both_clean(pa11y, page)
    tab_to(page, "input[name=choice]")
    page.keyboard.press("Space")  # the first: "Man"
    press_on(page, CONTINUE)

    expect(page.locator("h1")).to_have_text("What is good about leaving care?")
    picture(page, "Thumbs up")
    both_clean(pa11y, page)
    type_into(page, "#item-1", "My own flat")
    press_on(page, CONTINUE)

    for _ in range(5):  # Q5 to Q12: skip each, as anyone may
        expect(page.locator("main svg[role=img]")).to_have_count(1)
        both_clean(pa11y, page)
        press_on(page, "button[value=skip]")

    expect(page).to_have_url(f"{survey_url}/check")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Where are you now?")
    expect(summary).to_contain_text("I am under 18. I have left care.")
    expect(summary).to_contain_text("My own flat")
    both_clean(pa11y, page)
    press_on(page, "form button.govuk-button")
    expect(page).to_have_url(f"{survey_url}/thanks")
    expect(page.locator("main")).to_contain_text("Thank you for your answers.")
    both_clean(pa11y, page)
    page.wait_for_load_state("networkidle")
    context.close()
    print(f"\nThe easy-read run: {meter.total / KB:.1f} KB transferred (bodies), target 90 KB")
    assert meter.total <= WHOLE_RUN_MAX
