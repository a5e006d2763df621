"""The board-forum loop, in a browser (issue 23, bar 1).

A participation worker writes the plan and adds a milestone, links an action to it, and records
a board meeting's reply to something the forum asked; a young person on a phone (360 by 640),
never signed in, then reads the plan and "The board said..." on the public page. On the way
they see the board's front page and the forum's presentations. axe checks every page visited.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core import clock
from tests.browser.pages import check, fill_date, sign_in

pytestmark = pytest.mark.browser

SUMMARY = "Our plan, written with the forum: a home, a PA who answers, and enough money."
MILESTONE = "A welcome box in every first flat"
ASKED = "Your first home: Starter packs should have pans and a kettle."
REPLY = "Yes. From April every starter pack has pans, a kettle and a toaster."


def banner(page):
    return page.locator(".govuk-notification-banner")


def test_plan_milestone_action_board_reply_to_public_page(live_server, browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, "worker@northbridge.example", "demo-worker-pass")

    # The plan: aims and a summary for young people, then a milestone.
    page.goto(f"{live_server}/staff/plan")
    check(page)
    page.get_by_role("link", name="Change the plan").click()
    check(page)
    page.fill("#public_summary", SUMMARY)
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("h1")).to_contain_text("plan")
    page.goto(f"{live_server}/staff/plan")
    page.fill("#title", MILESTONE)
    page.fill("#owner", "Housing lead")
    fill_date(page, "due_on", clock.today() + timedelta(days=120))
    page.get_by_role("button", name="Add milestone").click()
    expect(banner(page)).to_contain_text("Milestone added")
    check(page)

    # Link an action to it, from the tracker.
    page.goto(f"{live_server}/staff/actions")
    check(page)
    page.locator("#tracker-table tbody a.govuk-link").first.click()
    expect(page.locator("#milestone_id")).to_be_visible()
    check(page)
    page.select_option("#milestone_id", label=MILESTONE)
    page.get_by_role("button", name="Save action").click()
    expect(banner(page)).to_contain_text("Action saved")
    page.goto(f"{live_server}/staff/plan")
    row = page.locator("tr", has_text=MILESTONE)
    expect(row).to_contain_text("1 linked")
    check(page)

    # The forum's presentations to the board, then the board meeting's reply.
    page.goto(f"{live_server}/staff/forum/presentations")
    expect(page.locator("#presentations")).to_contain_text("fictional demo")
    check(page)
    page.goto(f"{live_server}/board/meetings")
    expect(page.locator("#presentations-heading")).to_be_visible()
    check(page)
    page.locator("main ul.govuk-list a.govuk-link").first.click()
    expect(page.get_by_role("button", name="Ask for the pack for this meeting")).to_be_visible()
    check(page)
    page.get_by_role("link", name=re.compile("record its reply to the forum")).click()
    check(page)
    page.select_option("#reply-item_id", label=ASKED)
    page.fill("#reply-reply", REPLY)
    page.get_by_role("button", name="Record the board's reply").click()
    expect(banner(page)).to_contain_text("The board's reply is recorded")
    expect(page.locator("main")).to_contain_text(REPLY)
    expect(
        page.get_by_role("link", name=re.compile("Tell young people who asked"))
    ).not_to_have_count(0)
    check(page)

    # The board's front page, on the dashboard.
    page.goto(f"{live_server}/board")
    expect(page.locator("#front-page")).to_be_visible()
    expect(page.locator("#decisions-asked")).to_contain_text("bus travel")
    check(page)
    context.close()

    # A young person on a phone, never signed in.
    visitor = browser.new_context(viewport={"width": 360, "height": 640})
    phone = visitor.new_page()
    phone.goto(f"{live_server}/you-said-we-did")
    expect(phone.locator("h1")).to_have_text("You said, we did")
    expect(phone.locator("main")).to_contain_text(SUMMARY)
    expect(phone.locator("main")).to_contain_text(MILESTONE)
    said = phone.locator("p", has_text="The board said")
    expect(said.filter(has_text=REPLY)).to_have_count(1)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, "the public page scrolls sideways on a phone"
    check(phone)
    visitor.close()
