"""The public survey on a cheap phone with little data: bytes, the first screen, and 200% zoom.

- Bytes: a new browser context (a cold cache) at 360x640 opens the start page and answers the
  whole survey. The figure is the sum of the response bodies as they came over the wire
  (compressed), from Playwright's network events (``request.sizes()["responseBodySize"]``, which
  Chromium takes from its network events' encoded data length); a file the browser already
  holds is not fetched again (its body counts 0). Headers are not counted (Playwright reports
  them for cache hits too, so their sum would mislead). Targets (issue 22): first page <= 25 KB,
  the whole run <= 90 KB.
- The start page's "Start now" button is above the fold at 360x640.
- At 200% zoom a 360 px phone is 180 CSS px wide: no public page scrolls sideways.
- No public survey page loads htmx.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.surveys.conftest import make_open_round

pytestmark = pytest.mark.browser
SLUG = "light26"
KB = 1024
FIRST_PAGE_MAX = 25 * KB
WHOLE_RUN_MAX = 90 * KB


@pytest.fixture(scope="module")
def survey_url(live_app, live_server) -> str:
    make_open_round(live_app, slug=SLUG, name="Light pages round")
    return f"{live_server}/s/{SLUG}"


class Meter:
    """Bytes a page brings over the network, from its finished requests."""

    def __init__(self, page) -> None:
        self.bodies: list[tuple[str, int]] = []
        page.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        sizes = request.sizes()
        self.bodies.append((request.url, max(0, sizes["responseBodySize"])))

    @property
    def total(self) -> int:
        return sum(size for _, size in self.bodies)


def answer_and_continue(page) -> None:
    """Give a plausible answer to whatever question is shown, then continue."""
    if page.locator("#day").count():
        page.fill("#day", "14")
        page.fill("#month", "3")
        page.fill("#year", "2006")
    elif page.locator("#item-1").count():
        page.fill("#item-1", "My own flat")
    elif page.locator("#text").count():
        page.fill("#text", "Ask for help early.")
    elif page.locator("input[type=radio], input[type=checkbox]").count():
        page.locator("input[type=radio], input[type=checkbox]").first.check()
    page.click("button[value=answer]")
    page.wait_for_load_state()


def run_survey(page, survey_url: str, *, on_each_page=None) -> None:
    page.goto(survey_url)
    if on_each_page:
        on_each_page(page)
    page.click("button.govuk-button--start")
    for _ in range(20):
        page.wait_for_load_state()
        if on_each_page:
            on_each_page(page)
        if "Check your answers" in page.locator("h1").inner_text():
            break
        answer_and_continue(page)
    page.click("main button.govuk-button")
    expect(page.locator(".govuk-panel__title")).to_have_text("Your answers have been sent")
    if on_each_page:
        on_each_page(page)


def test_first_page_and_whole_run_are_light(browser, survey_url):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    meter = Meter(page)
    page.goto(survey_url)
    page.wait_for_load_state("networkidle")
    first_page = meter.total
    first_page_files = list(meter.bodies)

    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert not [src for src in scripts if "htmx" in src], scripts

    run_survey(page, survey_url)
    page.wait_for_load_state("networkidle")
    whole_run = meter.total
    context.close()

    print(f"\nFirst page: {first_page / KB:.1f} KB transferred (bodies), target 25 KB")
    for url, size in first_page_files:
        print(f"  {size:6d} B  {url.split('?')[0].removeprefix(survey_url.split('/s/')[0])}")
    fetched = sum(1 for _, size in meter.bodies if size)
    print(
        f"Whole survey run: {whole_run / KB:.1f} KB transferred (bodies) in {fetched} "
        "responses with a body, target 90 KB"
    )
    assert first_page <= FIRST_PAGE_MAX
    assert whole_run <= WHOLE_RUN_MAX


def test_start_now_is_above_the_fold(browser, survey_url):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(survey_url)
    box = page.locator("button.govuk-button--start").bounding_box()
    context.close()
    assert box is not None
    assert box["y"] + box["height"] <= 640, f"'Start now' ends at {box['y'] + box['height']} px"


PUBLIC_PAGES = ("/", "/you-said-we-did", "/privacy", "/accessibility", "/cookies", "/sign-in")


WIDER_THAN_THE_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(-5).map(el => `${el.tagName}.${el.className}: ${el.textContent.slice(0, 40)}`);
}"""


def no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways at 200% zoom: {widths}, "
        f"{page.evaluate(WIDER_THAN_THE_SCREEN)}"
    )


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_no_sideways_scrolling_at_200_percent_zoom(browser, survey_url, live_server, js):
    # 200% zoom on a 360x640 phone leaves 180x320 CSS pixels.
    context = browser.new_context(viewport={"width": 180, "height": 320}, java_script_enabled=js)
    page = context.new_page()
    for path in PUBLIC_PAGES:
        page.goto(live_server + path)
        no_sideways_scroll(page)
    for path in ("/help", "/resume"):
        page.goto(survey_url + path)
        no_sideways_scroll(page)
    run_survey(page, survey_url, on_each_page=no_sideways_scroll)
    context.close()
