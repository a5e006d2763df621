"""Steps several browser journeys share: sign in, check a page, fill a GOV.UK date."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.a11y import assert_accessible


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("Hello")


def check(page) -> None:
    """The page is a real page (no error heading) and axe finds nothing."""
    expect(page.locator("h1")).not_to_have_text(re.compile("Sorry|not found", re.I))
    assert_accessible(page)


def fill_date(page, name: str, value: date) -> None:
    page.fill(f"#{name}-day", str(value.day))
    page.fill(f"#{name}-month", str(value.month))
    page.fill(f"#{name}-year", str(value.year))
