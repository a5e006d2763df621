"""A participation worker codes 30 answers with the keyboard only, on the live demo data.

Signs in by keyboard, reaches the coding queue through the service navigation, and codes 30
answers with the queue's shortcuts (1-5 tick a suggested theme, p/n/m sentiment, q notable
quote, s save) and with Tab and Space on the theme checkboxes, including answers with two
themes and one notable quote. htmx swaps each next answer in; axe checks the pages on the way.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.extensions import db
from surveys.themes.models import Coding
from tests.a11y import assert_accessible
from tests.browser.keyboard import press_on, tab_to, type_into, wait_until_enhanced

pytestmark = pytest.mark.browser
TO_CODE = 30


def _heading_text(page) -> str:
    return page.locator("#unit-text").inner_text()


def _sign_in_as_worker(page, live_server: str) -> None:
    """Sign in by keyboard as the demo participation worker."""
    page.goto(f"{live_server}/sign-in")
    type_into(page, "#email", "worker@northbridge.example")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-worker-pass")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Hello")


def test_worker_codes_30_answers_by_keyboard(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    _sign_in_as_worker(page, live_server)

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


def test_two_answers_in_a_row_keep_only_their_own_coding(browser, live_app, live_server):
    """With JavaScript on, the answer htmx swaps in after "Save and next" starts with nothing
    ticked, and is stored with only what was ticked for it (not the previous answer's themes,
    sentiment or notable quote)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    _sign_in_as_worker(page, live_server)
    press_on(page, 'a.govuk-service-navigation__link[href="/staff/themes"]')
    expect(page.locator("h1")).to_have_text("Themes")
    press_on(page, 'a[href$="/code"]')
    expect(page.locator("#unit-heading")).to_be_visible()
    wait_until_enhanced(page)

    # The first answer: two themes, a sentiment and a notable quote.
    boxes = page.locator('input[name="themes"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator('input[name="sentiment"][value="positive"]').check()
    page.locator('input[name="notable"]').check()
    first = page.locator("#coding-unit").element_handle()
    page.get_by_role("button", name="Save and next").click()
    page.wait_for_function("answer => !answer.isConnected", arg=first)
    wait_until_enhanced(page, "#coding-unit")
    expect(page.locator("#coding-unit .app-notice")).to_have_text("Saved. Here is the next answer.")

    # The second answer starts empty, as a person would expect.
    expect(page.locator('input[name="themes"]:checked')).to_have_count(0)
    expect(page.locator('input[name="sentiment"]:checked')).to_have_count(0)
    expect(page.locator('input[name="notable"]')).not_to_be_checked()
    match = re.search(r"/code/(\d+)/(\d+)", page.url)
    assert match, page.url
    second = (int(match[1]), int(match[2]))
    third_box = page.locator('input[name="themes"]').nth(2)
    chosen = int(third_box.get_attribute("value") or 0)
    third_box.check()
    answer = page.locator("#coding-unit").element_handle()
    page.get_by_role("button", name="Save and next").click()
    page.wait_for_function("answer => !answer.isConnected", arg=answer)
    wait_until_enhanced(page, "#coding-unit")
    context.close()

    with live_app.app_context():
        stored = db.session.scalars(
            sa.select(Coding).where(
                Coding.answer_id == second[0], Coding.part == second[1], Coding.pass_no == 1
            )
        ).one()
        assert [t.id for t in stored.themes] == [chosen]
        assert stored.sentiment is None
        assert stored.notable is False
