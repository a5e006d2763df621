"""A member of staff signs in through the council's OpenID provider (a real one, run locally:
tests/oidc), gets the role their group gives, and signs out here and at the provider.

axe runs on Belonging's own pages; the provider's pages stand in for the council's sign-in.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.a11y import assert_accessible
from tests.conftest import _free_port, _migrate, build_app
from tests.oidc.harness import running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def council_server(tmp_path_factory) -> Iterator[str]:
    """The app, set up for the council's provider, on a real port; yields its base URL."""
    folder = tmp_path_factory.mktemp("oidc-live")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with running_provider(folder, [base]) as provider:
        uri = f"sqlite:///{folder / 'live.db'}"
        _migrate(uri)
        app = build_app(uri, WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL=base, **provider.app_settings())
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield base
        server.shutdown()


def test_a_worker_signs_in_with_the_council_account_and_signs_out(page: Page, council_server: str):
    page.goto(f"{council_server}/sign-in")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with the test council").click()
    expect(page.get_by_role("heading", name="Sign in to the council")).to_be_visible()
    page.get_by_label("Username").fill("worker")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{council_server}/staff")
    expect(page.get_by_role("heading", name="Hello, Pat Worker")).to_be_visible()
    expect(page.get_by_text("Participation worker", exact=True)).to_be_visible()
    assert_accessible(page)

    menu = page.get_by_role("button", name="Menu")  # a phone-sized window folds the navigation
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out of the council")).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(council_server)}/sign-in(\?state=.*)?$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{council_server}/staff")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
