"""Staff sign-in: passwords, lockout, disabled accounts, forced password change, sessions."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role, StaffUser
from tests.conftest import PASSWORD, make_staff, sign_in


def _user(app, user_id: int) -> StaffUser:
    with app.app_context():
        user = db.session.get(StaffUser, user_id)
        db.session.expunge(user)
        return user


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_staff_can_sign_in_and_see_their_start_page(app, client):
    make_staff(app, Role.PARTICIPATION_WORKER, "worker@example.org")
    response = sign_in(client, "Worker@Example.org ")
    assert response.status_code == 302
    page = client.get("/staff")
    assert page.status_code == 200
    assert "Hello, Test Participation worker" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "sign_in.success" in _actions(app)


def test_wrong_password_and_unknown_email_get_the_same_message(app, client):
    make_staff(app, Role.ADMIN, "admin@example.org")
    wrong = sign_in(client, "admin@example.org", "not-the-password")
    unknown = sign_in(client, "nobody@example.org", "whatever-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Enter a correct email address and password" in response.text
    assert _actions(app).count("sign_in.failure") == 2
    assert client.get("/staff").status_code == 302


def test_account_locks_after_repeated_failures_even_with_the_right_password(app, client):
    user_id = make_staff(app, Role.ADMIN, "admin@example.org")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(client, "admin@example.org", "wrong-password-again")
    assert _user(app, user_id).locked_until is not None
    response = sign_in(client, "admin@example.org", PASSWORD)
    assert response.status_code == 401
    assert "Enter a correct email address and password" in response.text  # says nothing more
    assert "sign_in.locked" in _actions(app)


def test_disabled_account_cannot_sign_in(app, client):
    make_staff(app, Role.BOARD_MEMBER, "board@example.org", is_enabled=False)
    assert sign_in(client, "board@example.org").status_code == 401


def test_disabling_an_account_signs_it_out_everywhere(app):
    admin_id = make_staff(app, Role.ADMIN, "admin@example.org")
    worker_id = make_staff(app, Role.PARTICIPATION_WORKER, "worker@example.org")
    worker, admin = app.test_client(), app.test_client()
    sign_in(worker, "worker@example.org")
    sign_in(admin, "admin@example.org")
    assert worker.get("/staff").status_code == 200
    response = admin.post(
        f"/admin/users/{worker_id}", data={"name": "Test worker", "role": "participation_worker"}
    )  # 'enabled' unticked
    assert response.status_code == 302
    assert worker.get("/staff").status_code == 302
    assert _user(app, admin_id).is_enabled


def test_admin_reset_gives_a_one_time_password_that_must_be_changed(app, logged_in_as):
    worker_id = make_staff(app, Role.DATA_ENTRY, "entry@example.org")
    admin = logged_in_as(Role.ADMIN)
    page = admin.post(f"/admin/users/{worker_id}/reset-password")
    assert page.status_code == 200
    temporary = page.text.split("<code>")[1].split("</code>")[0]

    person = admin.application.test_client()
    assert sign_in(person, "entry@example.org", PASSWORD).status_code == 401
    assert sign_in(person, "entry@example.org", temporary).status_code == 302
    # Every page sends them to change the password first.
    assert person.get("/staff").headers["Location"].endswith("/account/password")
    too_short = person.post(
        "/account/password",
        data={"current_password": temporary, "new_password": "short", "confirm_password": "short"},
    )
    assert "12 characters or more" in too_short.text
    changed = person.post(
        "/account/password",
        data={
            "current_password": temporary,
            "new_password": "a much better passphrase",
            "confirm_password": "a much better passphrase",
        },
    )
    assert changed.status_code == 302
    assert person.get("/staff").status_code == 200


def test_admin_cannot_disable_themselves(app, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    with app.app_context():
        admin_id = db.session.scalar(sa.select(StaffUser.id).where(StaffUser.role == "admin"))
    response = admin.post(f"/admin/users/{admin_id}", data={"name": "Me", "role": "admin"})
    assert response.status_code == 200
    assert "cannot disable your own account" in response.text
    assert _user(app, admin_id).is_enabled


def test_admin_creates_an_account_with_a_role(app, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    page = admin.post(
        "/admin/users/new",
        data={"name": "Kim Lead", "email": "Kim@Example.org", "role": "safeguarding_lead"},
    )
    assert page.status_code == 200
    assert "One-time password for Kim Lead" in page.text
    with app.app_context():
        kim = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "kim@example.org"))
        assert kim.role == "safeguarding_lead" and kim.must_change_password
    again = admin.post(
        "/admin/users/new", data={"name": "Kim Again", "email": "kim@example.org", "role": "admin"}
    )
    assert "already exists" in again.text


def test_sign_in_follows_only_local_next_links(app, client):
    make_staff(app, Role.ADMIN, "admin@example.org")
    evil = client.post(
        "/sign-in?next=https://evil.example/",
        data={"email": "admin@example.org", "password": PASSWORD},
    )
    assert evil.headers["Location"] == "/staff"
    client.post("/sign-out")
    good = client.post(
        "/sign-in?next=/admin/audit", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert good.headers["Location"] == "/admin/audit"


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_staff(app, Role.ADMIN, "admin@example.org")
    response = sign_in(client, "admin@example.org")
    (cookie,) = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("belonging_session=")
    ]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A staff session cookie dies with the browser; the server ends it when idle (see below).
    assert "Expires=" not in cookie


def test_sign_in_is_rate_limited(database_uri):
    from tests.conftest import build_app

    app = build_app(database_uri, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "x@example.org", "wrong-password").status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    assert "Too many attempts" in client.post("/sign-in", data={}).text
