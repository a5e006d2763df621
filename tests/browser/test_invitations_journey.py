"""A participation worker imports contacts with a column mapping, invites a filtered group,
sees the texts in the outbox, and a care leaver answers through one personal link: that
invitation shows completed with no reminder to come. axe runs on every staff page visited."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from app.outreach.invitations.services import apply_completion_notices
from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser
TEAM = "Browser Journey Team"


def _contacts_file(tmp_path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["Client Forename", "Client Surname", "D.O.B.", "Mob", "Post code", "Team", "Consent"]
    )
    for n in range(4):
        writer.writerow(
            [
                f"Journey{n}",
                "Tester",
                f"0{n + 1}/05/2005",
                f"07700 9009{n:02d}",
                "NB9 9ZZ",
                TEAM,
                "Yes",
            ]
        )
    writer.writerow(["", "", "01/01/2005", "07700 900950", "NB9 9ZZ", TEAM, "Yes"])
    path = tmp_path / "case-system-export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return str(path)


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _open_round_id(live_app) -> int:
    import sqlalchemy as sa

    from app.core.extensions import db
    from surveys.models import SurveyRound

    with live_app.app_context():
        return db.session.scalar(sa.select(SurveyRound.id).where(SurveyRound.slug == "nb2026"))


def test_import_invite_answer_by_link_and_see_it_completed(
    desk, browser, live_app, live_server, tmp_path
):
    page = desk
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", "worker@northbridge.example")
    page.fill("#password", "demo-worker-pass")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Import with a column mapping.
    page.goto(f"{live_server}/staff/contacts/import")
    assert_accessible(page)
    page.set_input_files("#file", _contacts_file(tmp_path))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.locator("h1")).to_have_text("Match the columns")
    assert_accessible(page)
    page.select_option("#col-0", "first_name")
    page.select_option("#col-1", "last_name")
    page.select_option("#col-2", "date_of_birth")
    page.select_option("#col-3", "mobile")
    page.get_by_role("button", name="Save and check the rows").click()
    expect(page.locator("#import-summary")).to_contain_text("4 new")
    expect(page.locator("#import-problems")).to_contain_text("the name is missing")
    assert_accessible(page)
    page.get_by_role("button", name="Import the good rows").click()
    # A job saves the rows; the report page says how it went once it has finished.
    expect(page.locator("#report-summary")).to_contain_text("4 added")
    assert_accessible(page)

    # Invite the filtered group by text.
    page.goto(f"{live_server}/staff/rounds/{_open_round_id(live_app)}")
    page.get_by_role("link", name="Invitations and response rate").click()
    assert_accessible(page)
    page.get_by_role("link", name="Invite care leavers").click()
    page.select_option("#team", TEAM)
    page.get_by_label("Text message").check()
    assert_accessible(page)
    page.get_by_role("button", name="Check the invitations").click()
    expect(page.locator("#send-counts")).to_contain_text("invitations to 4 people")
    assert_accessible(page)
    page.get_by_role("button", name="Send 4 messages").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("4 people invited")
    invitations_url = page.url

    # The texts are in the outbox, each with its own link.
    page.goto(f"{live_server}/staff/sms/outbox")
    expect(page.locator("table").last).to_contain_text("Reply to this text")
    assert_accessible(page)

    invitations_url += f"?team={TEAM.replace(' ', '+')}"
    page.goto(invitations_url)
    row = page.locator("#invitations tr", has_text="Journey0 Tester")
    code = row.get_attribute("data-code")
    assert code

    # A care leaver answers through their personal link, in their own browser.
    phone = browser.new_context(viewport={"width": 360, "height": 640}).new_page()
    phone.goto(f"{live_server}/i/{code}")
    phone.get_by_role("button", name="Start now").click()
    phone.goto(phone.url.split("/s/")[0] + "/s/nb2026/check")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("h1")).to_contain_text("Your answers have been sent")
    phone.context.close()
    # The invitation learns of it only from the sealed notice, which the daily job applies in a
    # shuffled batch (here at once, as at the round's close: a batch smaller than 5).
    with live_app.app_context():
        assert apply_completion_notices(everything=True) >= 1

    page.goto(invitations_url)
    row = page.locator(f'#invitations tr[data-code="{code}"]')
    expect(row).to_contain_text("Completed")
    expect(row.locator(".app-next-reminder")).to_have_text("None")
    other = page.locator("#invitations tr", has_text="Journey1 Tester")
    expect(other).to_contain_text("Not answered yet")
    assert_accessible(page)

    page.get_by_role("link", name="Response rate").click()
    expect(page.locator("#takeaway")).to_contain_text("%")
    assert_accessible(page)
