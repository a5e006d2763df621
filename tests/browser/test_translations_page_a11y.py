"""The staff translations page (per language: status, download, upload) is axe and pa11y
(HTML_CodeSniffer, WCAG2AA) clean, like the public pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.staff.auth.models import Role
from tests.a11y import assert_accessible
from tests.conftest import PASSWORD, make_staff
from tests.pa11y.harness import running_pa11y

pytestmark = pytest.mark.browser
EMAIL = "translations-a11y@example.org"


def test_the_translations_page_is_axe_and_pa11y_clean(browser, live_app, live_server):
    make_staff(live_app, Role.ADMIN, email=EMAIL)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/sign-in")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.goto(f"{live_server}/staff/translations")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Checked by a translator")
    assert_accessible(page)
    with running_pa11y() as pa11y:
        pa11y.assert_clean(page)
    context.close()
