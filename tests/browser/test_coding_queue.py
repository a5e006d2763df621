"""A participation worker codes 30 answers with the keyboard only, on the live demo data.

Signs in by keyboard, reaches the coding queue through the service navigation, and codes 30
answers with the queue's shortcuts (1-5 tick a suggested theme, p/n/m sentiment, q notable
quote, s save) and with Tab and Space on the theme checkboxes, including answers with two
themes and one notable quote. htmx swaps each next answer in; axe checks the pages on the way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.browser.keyboard import press_on, tab_to, type_into, wait_until_enhanced

pytestmark = pytest.mark.browser
TO_CODE = 30


def _heading_text(page) -> str:
    return page.locator("#unit-text").inner_text()


def test_worker_codes_30_answers_by_keyboard(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server}/sign-in")
    type_into(page, "#email", "worker@northbridge.example")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-worker-pass")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Hello")

    press_on(page, 'a.govuk-service-navigation__link[href="/staff/themes"]')
    expect(page.locator("h1")).to_have_text("Themes")
    assert_accessible(page)
    press_on(page, 'a[href$="/code"]')  # the first round listed: the open 2026 round
    expect(page.locator("#unit-heading")).to_be_visible()
    # Like a person, wait for the page to finish loading before using its shortcuts: on a busy
    # machine the scripts (the shortcuts, then htmx) arrive after the text is already on screen.
    wait_until_enhanced(page)
    assert_accessible(page)

    seen: list[str] = []
    multi = quote = by_tab = 0
    for n in range(TO_CODE):
        text, url = _heading_text(page), page.url
        seen.append(text)
        suggestions = page.locator("#suggestions li").count()
        if n % 5 == 4 or suggestions == 0:
            # Without shortcuts: Tab to the first theme checkbox, Space to tick it.
            tab_to(page, 'input[name="themes"]')
            page.keyboard.press("Space")
            by_tab += 1
        else:
            page.keyboard.press("1")
            if suggestions > 1 and n % 3 == 0:
                page.keyboard.press("2")
                multi += 1
        ticked = page.locator('input[name="themes"]:checked').count()
        assert ticked >= 1
        if n % 2 == 0:
            page.keyboard.press("Escape")
            page.keyboard.press("p" if n % 4 == 0 else "n")
        if n == 7:
            page.keyboard.press("q")
            expect(page.locator('input[name="notable"]')).to_be_checked()
            quote += 1
        answer = page.locator("#coding-unit").element_handle()
        page.keyboard.press("s")
        # htmx swaps the next answer in place of this one (however long the save takes), says
        # it was saved, pushes the next answer's address and moves focus to its question. Its
        # form is live only once htmx has settled it: a key pressed before that would post the
        # plain form and reload the whole page.
        page.wait_for_function("answer => !answer.isConnected", arg=answer)
        wait_until_enhanced(page, "#coding-unit")
        expect(page.locator("#coding-unit .app-notice")).to_have_text(
            "Saved. Here is the next answer."
        )
        expect(page).not_to_have_url(url)
        expect(page.locator("#unit-heading")).to_be_focused()
        if n in (0, 15):
            assert_accessible(page)
    assert multi >= 3 and quote == 1 and by_tab >= 5
    assert re.search(r"/staff/themes/\d+/code/\d+/\d+", page.url)  # htmx pushed each URL

    # Go back with "b": the previous answer shows what was chosen.
    page.keyboard.press("b")
    expect(page.locator("#already-coded")).to_be_visible()
    assert page.locator('input[name="themes"]:checked').count() >= 1
    assert_accessible(page)

    # The notable quote waits for approval, with a redaction proposed.
    page.goto(f"{live_server}/staff/themes")
    press_on(page, 'a[href$="/quotes"]')
    expect(page.locator("h1")).to_have_text("Notable quotes")
    expect(page.locator("table")).to_contain_text(seen[7])
    assert_accessible(page)
    context.close()
