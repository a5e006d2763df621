"""The flask commands a council's IT team uses."""

import sqlalchemy as sa

from app.core.extensions import db
from app.demo import DEMO_ACCOUNTS
from app.staff.auth.models import Role, StaffUser


def test_create_admin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Head@Example.org",
            "--name",
            "Head of Service",
            "--password",
            "long enough pass",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "head@example.org"))
        assert user.role == "admin" and not user.must_change_password


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "12 characters" in result.output


def test_demo_seed_is_idempotent_and_prints_every_sign_in(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    for account in DEMO_ACCOUNTS:
        assert account.email in second.output and account.password in second.output
    assert "fictional" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == len(
            DEMO_ACCOUNTS
        )
    # The lead has flags to review, made once: two on answers, one on a text outside a survey.
    lead = next(a for a in DEMO_ACCOUNTS if a.role == Role.SAFEGUARDING_LEAD)
    client = app.test_client()
    client.post("/sign-in", data={"email": lead.email, "password": lead.password})
    page = client.get("/safeguarding")
    assert page.text.count("Review<span") == 3
    assert page.text.count("A text outside a survey") == 1


def test_demo_passwords_work(app, runner, client):
    runner.invoke(args=["demo", "seed"])
    for account in DEMO_ACCOUNTS:
        c = app.test_client()
        assert (
            c.post(
                "/sign-in", data={"email": account.email, "password": account.password}
            ).status_code
            == 302
        )
