"""Staff journeys on a cheap phone (360 by 640), by keyboard only, with axe on every page.

Each demo role signs in without a mouse: Tab to the footer's "Staff sign in" link, type into the
focused fields, press Enter to submit; then it opens every item of its service navigation through
the mobile "Menu" toggle and signs out with the "Sign out" button. The public pages (privacy,
accessibility, cookies) are read from the footer once signed out and once signed in, not once per
role: they are the same page for everybody. axe-core runs on every page visited and fails the
test on any serious or critical violation. The journeys never click or fill: if a step cannot be
done with the keyboard, the test fails.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.demo import DEMO_ACCOUNTS, DemoAccount
from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

# How many Tab presses a journey may take to reach one control before we call it unreachable.
MAX_TABS = 60
# (footer link, page heading)
PUBLIC_PAGES = [
    ("Privacy", "Privacy notice"),
    ("Accessibility statement", "Accessibility statement"),
    ("Cookies", "Cookies"),
]
# Navigation items only the admin may see (other areas add their own items for other roles).
ADMIN_ONLY_NAV = ["Staff", "Audit log", "Settings"]


FOCUSED = """([selector, text]) => {
  const e = document.activeElement;
  if (!e || e === document.body || !e.matches(selector)) return false;
  return text === null || e.textContent.replace(/\\s+/g, ' ').trim() === text;
}"""


def active(page: Page, selector: str, text: str | None = None) -> bool:
    return page.evaluate(FOCUSED, [selector, text])


def active_description(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? `${e.tagName} ${(e.textContent || e.name || '').replace(/\\s+/g, ' ').trim()}`"
        " : 'none'; }"
    )


def tab_to(page: Page, selector: str, text: str | None = None, *, limit: int = MAX_TABS) -> None:
    """Press Tab until the focused element matches ``selector`` (and has exactly ``text``)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page, selector, text):
            return
        seen.append(active_description(page))
    pytest.fail(f"Tab never reached {selector} {text!r} on {page.url}; focus went through: {seen}")


def press_enter_and_wait(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def go_by_keyboard(page: Page, selector: str, text: str | None = None) -> None:
    """From the top of a freshly loaded page, Tab to a link and follow it with Enter."""
    tab_to(page, selector, text)
    press_enter_and_wait(page)


def open_menu_if_collapsed(page: Page) -> None:
    """At 360px the service navigation hides behind a "Menu" toggle (when JavaScript is on)."""
    toggle = page.locator(".govuk-js-service-navigation-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        tab_to(page, ".govuk-js-service-navigation-toggle")
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")


def follow_nav_item(page: Page, text: str) -> None:
    open_menu_if_collapsed(page)
    go_by_keyboard(page, ".govuk-service-navigation__list a", text)


def read_public_pages(page: Page) -> None:
    """Follow each footer link to a public page, by keyboard, and check it with axe."""
    for text, heading in PUBLIC_PAGES:
        go_by_keyboard(page, "footer a", text)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)


def sign_in_by_keyboard(
    page: Page, base_url: str, email: str, password: str, *, axe: bool = True
) -> None:
    """From the public home page to a submitted sign-in form, keyboard only.

    ``axe=False`` skips axe: for pages another test already checks, and in a context with
    JavaScript off, where axe-core cannot run (injecting it there hangs rather than failing).
    """
    page.goto(base_url + "/")
    if axe:
        assert_accessible(page)
    go_by_keyboard(page, "footer a", "Staff sign in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    if axe:
        assert_accessible(page)
    tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert active(page, "input[name=password]"), active_description(page)
    page.keyboard.type(password)
    press_enter_and_wait(page)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.role.value for a in DEMO_ACCOUNTS])
def test_each_role_signs_in_browses_and_signs_out_by_keyboard(
    page: Page, live_server: str, account: DemoAccount
):
    sign_in_by_keyboard(page, live_server, account.email, account.password)

    expect(page).to_have_url(f"{live_server}/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {account.name}")
    assert_accessible(page)

    nav = page.locator(".govuk-service-navigation__list .govuk-service-navigation__item a")
    items = [t.strip() for t in nav.all_inner_texts()]
    assert items[0] == "Home"
    if account.role.value == "admin":
        assert set(ADMIN_ONLY_NAV) <= set(items), items
    else:
        assert not set(ADMIN_ONLY_NAV) & set(items), items

    for text in items:
        follow_nav_item(page, text)
        current = page.locator(".govuk-service-navigation__item--active")
        expect(current).to_have_text(text)
        assert page.title().endswith(" \N{EN DASH} Northbridge City Council")
        assert_accessible(page)

    if account.role.value == "admin":  # the public pages are the same for every role
        read_public_pages(page)

    # Sign out: a button (a POST with a CSRF token), reached from the service navigation.
    open_menu_if_collapsed(page)
    tab_to(page, "button.app-link-button")
    assert page.evaluate("() => document.activeElement.textContent.trim()").startswith("Sign out")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.locator("footer")).to_contain_text("Staff sign in")
    assert_accessible(page)

    # Signed out for real: the staff home sends us back to sign in.
    page.goto(live_server + "/staff")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def test_public_pages_signed_out_by_keyboard(page: Page, live_server: str):
    page.goto(live_server + "/")
    read_public_pages(page)
    expect(page.locator("footer")).to_contain_text("Staff sign in")


def test_wrong_password_shows_an_error_summary_with_focus(page: Page, live_server: str):
    account = DEMO_ACCOUNTS[-1]
    sign_in_by_keyboard(page, live_server, account.email, "not-the-password")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct email address and password")
    # GOV.UK Frontend moves focus to the summary, so screen readers announce it straight away.
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < 640, "the error summary is below the fold"
    assert_accessible(page)

    # The summary's link takes keyboard users to the field to fix, and the email is kept.
    page.keyboard.press("Tab")
    assert active(page, ".govuk-error-summary a"), active_description(page)
    page.keyboard.press("Enter")
    expect(page.locator("input[name=email]")).to_be_focused()
    expect(page.locator("input[name=email]")).to_have_value(account.email)
    expect(page.locator("input[name=password]")).to_have_value("")


def _sign_in_admin(page: Page, live_server: str, *, axe: bool = True) -> None:
    admin = DEMO_ACCOUNTS[0]
    sign_in_by_keyboard(page, live_server, admin.email, admin.password, axe=axe)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {admin.name}")


def test_mobile_menu_toggle_works_with_javascript(page: Page, live_server: str):
    _sign_in_admin(page, live_server, axe=False)  # those pages are checked in the journeys
    toggle = page.get_by_role("button", name="Menu")
    menu = page.locator("#navigation")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    tab_to(page, ".govuk-js-service-navigation-toggle")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    for text in ["Home", *ADMIN_ONLY_NAV]:
        expect(menu.get_by_role("link", name=text, exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name=re.compile("^Sign out"))).to_be_visible()
    assert_accessible(page)

    page.keyboard.press("Enter")  # the toggle still has focus: close it again
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()


def test_navigation_reachable_without_javascript(
    browser: Browser, live_server: str, browser_context_args: dict
):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in_admin(page, live_server, axe=False)
        # With no JavaScript there is no toggle: the links are simply there.
        expect(page.locator(".govuk-js-service-navigation-toggle")).to_be_hidden()
        links = page.locator("#navigation a")
        items = [t.strip() for t in links.all_inner_texts()]
        assert set(ADMIN_ONLY_NAV) <= set(items), items
        for text in items:
            expect(
                page.locator("#navigation").get_by_role("link", name=text, exact=True)
            ).to_be_visible()
        for text in items:
            follow_nav_item(page, text)
            expect(page.locator(".govuk-service-navigation__item--active")).to_have_text(text)
        tab_to(page, "button.app-link-button")
        press_enter_and_wait(page)
        expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    finally:
        context.close()
