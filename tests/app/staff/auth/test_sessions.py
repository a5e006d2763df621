"""Staff sessions end when they should, everywhere; a care leaver's survey session does not."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from app.staff.auth.models import Role
from tests.conftest import PASSWORD, make_staff, sign_in
from tests.surveys.conftest import SLUG, make_open_round
from tests.surveys.web.test_web_survey import ANSWERS


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("belonging_session")
    target.set_cookie("belonging_session", cookie.value)


def test_a_copied_cookie_is_refused_after_sign_out(app):
    make_staff(app, Role.ADMIN, "admin@example.org")
    mine, thief = app.test_client(), app.test_client()
    sign_in(mine, "admin@example.org")
    _copy_cookie(mine, thief)
    assert thief.get("/admin/audit").status_code == 200  # the copy works while signed in
    mine.post("/sign-out")
    refused = thief.get("/admin/audit")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]


def test_changing_the_password_signs_out_every_other_session(app):
    make_staff(app, Role.ADMIN, "admin@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "admin@example.org")
    sign_in(elsewhere, "admin@example.org")
    changed = here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-passphrase-2026",
            "confirm_password": "a-new-long-passphrase-2026",
        },
    )
    assert changed.status_code == 302
    assert here.get("/admin/audit").status_code == 200  # still signed in where it was changed
    assert elsewhere.get("/admin/audit").status_code == 302


def test_staff_are_signed_out_after_30_minutes_unused_but_not_while_working(app):
    make_staff(app, Role.ADMIN, "admin@example.org")
    client = app.test_client()
    with time_machine.travel("2026-06-10 11:00 +0000", tick=False) as traveller:
        sign_in(client, "admin@example.org")
        for _ in range(4):  # 4 x 20 minutes of steady use: 80 minutes signed in
            traveller.shift(timedelta(minutes=20))
            assert client.get("/admin/audit").status_code == 200
        traveller.shift(timedelta(minutes=31))
        page = client.get("/admin/audit", follow_redirects=True)
    assert "signed out because you had not used the service" in page.text


def test_a_survey_session_is_alive_two_hours_after_start(app):
    make_open_round(app)
    client = app.test_client()
    with time_machine.travel("2026-06-10 11:00 +0000", tick=False) as traveller:
        start = client.post(f"/s/{SLUG}/start")
        assert start.status_code == 302 and "/q/Q1" in start.headers["Location"]
        traveller.shift(timedelta(hours=2))  # a slow first answer: two hours on question 1
        answered = client.post(f"/s/{SLUG}/q/Q1", data=ANSWERS["Q1"])
    assert answered.status_code == 302
    assert "/q/Q2" in answered.headers["Location"]  # the place was kept, the answer taken


def test_a_lockout_says_nothing_about_the_account_and_never_keeps_its_owner_out(app):
    make_staff(app, Role.ADMIN, "admin@example.org")
    owner, stranger = app.test_client(), app.test_client()
    sign_in(owner, "admin@example.org")  # the owner's browser is now a known device
    owner.post("/sign-out")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(stranger, "admin@example.org", "someone-elses-guess")
    locked = sign_in(stranger, "admin@example.org", PASSWORD)
    nobody = sign_in(app.test_client(), "nobody@example.org", "any-guess-at-all")
    assert locked.status_code == nobody.status_code == 401
    assert _error(locked.text) == _error(nobody.text)  # same words: no account is revealed
    assert sign_in(owner, "admin@example.org").status_code == 302  # the owner still gets in


def _error(html: str) -> str:
    start = html.index("govuk-error-summary")
    return html[start : html.index("</div>", start)]
