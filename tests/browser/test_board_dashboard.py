"""The board member's dashboard in a real browser: axe-clean, charts load as images with alt
text under the page's Content-Security-Policy, each with its data one click away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_board_member_reads_the_dashboard(live_server: str, page: Page):
    page.set_viewport_size({"width": 1024, "height": 900})  # a tablet on its side
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", "board@northbridge.example")
    page.fill("#password", "demo-board-pass")
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/staff")
    page.get_by_role("link", name="Board dashboard").click()
    expect(page.get_by_role("heading", name="Board dashboard", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")

    charts = page.locator("img.app-chart")
    assert charts.count() >= 6
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "chart not drawn"
        assert len(chart.get_attribute("alt") or "") > 40
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert_accessible(page)

    # The data behind a chart, and the age filter (htmx swaps the dashboard in place).
    page.get_by_text("Show the data").first.click()
    expect(page.locator("table.app-board-table").first).to_be_visible()
    assert_accessible(page)
    page.select_option("#band", "18 to 20")
    expect(page.get_by_role("heading", name="care leavers aged 18 to 20")).to_be_visible()
    assert re.search(r"band=18(\+|%20)to(\+|%20)20", page.url)
    assert_accessible(page)

    page.get_by_role("link", name="Board packs").click()
    expect(page.get_by_role("heading", name="Board packs", level=1)).to_be_visible()
    assert page.locator("main form[method=post]").count() == 0
    assert_accessible(page)
