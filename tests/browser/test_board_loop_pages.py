"""Each staff page the board-forum loop added (issue 23), visited once in a browser and checked
with axe: outcomes and their import, self-assessments (list, a round, an answer form), the front
page's editor, the forum's presentations, a forum meeting's monitoring form, and a board
member's request for the pack, with the "Your pack is ready" banner on the next page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def visit(page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.locator("h1")).to_contain_text(heading)
    assert_accessible(page)


def first_link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return next(h for h in hrefs if re.fullmatch(pattern, h))


def test_every_new_staff_page_is_axe_clean(live_server, browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, "worker@northbridge.example", "demo-worker-pass")

    visit(page, f"{live_server}/board/outcomes", "outcomes")
    visit(page, f"{live_server}/board/outcomes/import", "Import")
    visit(page, f"{live_server}/board/assessments", "elf-assessment")
    assessment = first_link(page, r"/board/assessments/\d+")
    visit(page, f"{live_server}{assessment}", "")
    visit(page, f"{live_server}{assessment}/staff/answers", "")
    visit(page, f"{live_server}/board/front-page", "ront page")
    visit(page, f"{live_server}/staff/forum/presentations", "resentations")
    page.goto(f"{live_server}/staff/forum")
    meeting = first_link(page, r"/staff/forum/meetings/\d+")
    visit(page, f"{live_server}{meeting}", "")
    expect(page.locator("form[action$='/reviews']").first).to_be_visible()
    context.close()

    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, "board@northbridge.example", "demo-board-pass")
    page.goto(f"{live_server}/board/meetings")
    board_meeting = first_link(page, r"/board/meetings/\d+")
    visit(page, f"{live_server}{board_meeting}", "")
    page.get_by_role("button", name="Ask for the pack for this meeting").click()
    # Jobs run at once here, so the pack is made before the next page: it says so, once.
    expect(page.locator("#pack-ready")).to_contain_text("Your pack is ready", timeout=120_000)
    assert_accessible(page)
    visit(page, f"{live_server}/board", "")
    expect(page.locator("#pack-ready")).to_have_count(0)
    context.close()
