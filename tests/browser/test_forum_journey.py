"""A participation worker runs a forum meeting through to "you said, we did", on a phone.

Record a meeting, tick a member in the register with htmx and give a voucher, raise an item from
a survey theme, add an action with an owner and a due date, mark it done from the tracker (htmx),
publish it, and then find it on the public page as a phone-sized visitor who never signed in.
axe checks every page visited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check, fill_date, sign_in

pytestmark = pytest.mark.browser

SAID = "We want evening cooking classes before we move out"
ACTION = "Run a cooking class on the first Tuesday evening of every month"


def test_meeting_to_public_page(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    sign_in(page, live_server, "worker@northbridge.example", "demo-worker-pass")

    # A meeting, with attendance and a voucher (each register line saves itself with htmx).
    page.goto(f"{live_server}/staff/forum")
    check(page)
    page.get_by_role("link", name="Record a meeting").click()
    check(page)
    fill_date(page, "held_on", date.today())
    page.fill("#place", "Northbridge Youth Centre")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator("h1")).to_contain_text("Forum meeting on")
    check(page)
    line = page.locator(".app-register-row").first
    line_id = line.get_attribute("id")
    page.locator(f"#{line_id} .govuk-checkboxes__input").check()
    expect(page.locator(f"#{line_id} [role=status]")).to_contain_text("Saved: came")
    page.locator(f"#{line_id} input[name=amount]").fill("10")
    page.locator(f"#{line_id} select[name=payment_type]").select_option("voucher")
    page.locator(f"#{line_id} input[name=amount]").press("Tab")
    expect(page.locator(f"#{line_id} [role=status]")).to_contain_text("£10.00")
    check(page)
    page.goto(f"{live_server}/staff/forum/payments")
    expect(page.locator("caption")).to_contain_text("Total given")
    check(page)

    # An item from a survey theme.
    page.goto(f"{live_server}/staff/you-said/new")
    check(page)
    page.get_by_role("radio", name="Survey theme").check()
    value = page.evaluate(
        """() => [...document.querySelectorAll('#theme_id option')]
            .find(o => o.textContent.startsWith('Loneliness')).value"""
    )
    page.select_option("#theme_id", value)
    page.fill("#text", SAID)
    page.fill("#topic", "Cooking and food")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text(SAID)
    check(page)

    # An action with an owner and a due date.
    page.get_by_role("link", name="Add an action").click()
    check(page)
    page.fill("#what", ACTION)
    page.select_option("#owner_id", label="Priya Patel")
    page.fill("#owner_team", "Leaving care team")
    fill_date(page, "due_on", date.today() + timedelta(days=60))
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added")
    check(page)

    # Done, from the tracker: htmx swaps the row.
    page.goto(f"{live_server}/staff/actions")
    check(page)
    row = page.locator("tr", has_text=ACTION)
    row.locator("select[name=status]").select_option("done")
    row.get_by_role("button", name=re.compile("^Change")).click()
    row = page.locator("tr", has_text=ACTION)
    expect(row.locator("[role=status]")).to_contain_text("Saved: done")
    expect(row).to_contain_text("Green: done")
    check(page)

    # Publish.
    row.get_by_role("link", name=ACTION).click()
    check(page)
    page.get_by_role("link", name="Back to what young people said").click()
    page.get_by_role("button", name="Publish on the public page").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Published")
    check(page)
    context.close()

    # A young person on a phone, never signed in.
    visitor = browser.new_context(viewport={"width": 360, "height": 640})
    phone = visitor.new_page()
    phone.goto(live_server)
    check(phone)
    phone.get_by_role("link", name="You said, we did: see what changed").click()
    expect(phone.locator("h1")).to_have_text("You said, we did")
    item = phone.locator(".app-ysyd-item", has_text=SAID)
    expect(item).to_contain_text(ACTION)
    expect(item).to_contain_text("What happened: Done on")
    expect(phone.locator("h2", has_text="Cooking and food")).to_be_visible()
    assert "Priya" not in phone.content()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, "the public page scrolls sideways on a phone"
    check(phone)
    visitor.close()
