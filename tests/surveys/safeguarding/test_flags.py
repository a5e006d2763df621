"""A disclosure in a survey answer: the young person sees help now, only the lead sees the flag."""

from __future__ import annotations

import socket

import sqlalchemy as sa

from app.core import jobs
from app.core.extensions import db
from app.messaging import mail
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.models import Answer
from surveys.safeguarding.models import SafeguardingFlag
from tests.conftest import make_staff, sign_in
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"
DISCLOSURE = "honestly I don't want to live anymore, nobody would notice"


def _lead_settings(app):
    with app.app_context():
        from app.staff.authority.services import get_settings

        settings = get_settings()
        settings.duty_phone = "0300 111 2222"
        settings.safeguarding_lead_email = "lead@council.example"
        db.session.commit()


def _flags(app):
    with app.app_context():
        return db.session.scalars(sa.select(SafeguardingFlag)).all()


def test_a_disclosure_shows_help_now_and_raises_a_flag_for_the_lead(app, client, round_id):
    _lead_settings(app)
    mail.outbox.clear()
    client.post(f"{BASE}/start")
    response = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
    assert "/help" in response.headers["Location"]
    help_page = client.get(response.headers["Location"]).text
    for number in ("0300 111 2222", "116 123", "85258", "0808 800 4444", "999"):
        assert number in help_page
    assert f'href="{BASE}/q/Q11"' in help_page  # carry on where they were
    [flag] = _flags(app)
    assert flag.status == "new"
    assert "self_harm_suicide" in flag.categories
    [email] = mail.outbox
    assert email["To"] == "lead@council.example"
    assert DISCLOSURE not in email.get_content()  # the email says where to look, not what


def test_ordinary_answers_raise_no_flag(app, client, round_id):
    client.post(f"{BASE}/start")
    for text in (
        "I don't feel unsafe where I live now",
        "My PA is a lifesaver",
        "Killing it at college this year",
    ):
        response = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": text})
        assert "/help" not in response.headers["Location"]
    assert _flags(app) == []


def test_only_the_safeguarding_lead_sees_flags(app, client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q12", data={"action": "answer", "text": "he hits me when he's drunk"})
    [flag] = _flags(app)
    for role in (Role.ADMIN, Role.PARTICIPATION_WORKER, Role.DATA_ENTRY, Role.BOARD_MEMBER):
        make_staff(app, role, f"{role.value}@example.org")
        staff = app.test_client()
        sign_in(staff, f"{role.value}@example.org")
        assert staff.get("/safeguarding").status_code == 403, role
        assert staff.get(f"/safeguarding/{flag.id}").status_code == 403, role
    make_staff(app, Role.SAFEGUARDING_LEAD, "lead@example.org")
    lead = app.test_client()
    sign_in(lead, "lead@example.org")
    listing = lead.get("/safeguarding")
    assert listing.status_code == 200 and "Test round" in listing.text
    page = lead.get(f"/safeguarding/{flag.id}")
    assert "he hits me" in page.text
    updated = lead.post(
        f"/safeguarding/{flag.id}",
        data={"status": "action_taken", "note": "Passed to the leaving care duty team."},
    )
    assert updated.status_code == 302
    with app.app_context():
        flag = db.session.get(SafeguardingFlag, flag.id)
        assert flag.status == "action_taken" and "duty team" in flag.note
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "safeguarding.view" in actions and "safeguarding.update" in actions


def test_admin_adds_a_rule_and_it_screens_the_next_answer(app, client, round_id, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    assert admin.get("/admin/safeguarding-rules").status_code == 200
    bad = admin.post(
        "/admin/safeguarding-rules/new",
        data={
            "key": "bad-one",
            "category": "unsafe",
            "kind": "pattern",
            "text": "(unclosed",
            "enabled": "y",
        },
    )
    assert bad.status_code == 200 and "cannot be used" in bad.text
    good = admin.post(
        "/admin/safeguarding-rules/new",
        data={
            "key": "locked-in-room",
            "category": "unsafe",
            "kind": "phrase",
            "text": "locked in my room",
            "enabled": "y",
        },
    )
    assert good.status_code == 302
    survey = app.test_client()
    survey.post(f"{BASE}/start")
    response = survey.post(
        f"{BASE}/q/Q7", data={"action": "answer", "text": "they keep me locked in my room"}
    )
    assert "/help" in response.headers["Location"]
    assert "locked-in-room" in _flags(app)[0].rules


def test_screening_command_reads_a_csv(app, runner, tmp_path):
    source = tmp_path / "answers.csv"
    source.write_text("answer\nI want to kill myself\nI love my flat\n", encoding="utf-8")
    result = runner.invoke(args=["safeguarding", "screen", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[1].startswith("I want to kill myself,yes,")
    assert lines[2].startswith("I love my flat,no")


def test_with_the_mail_server_down_the_answer_and_flag_are_kept(app, client, round_id):
    """The lead's email is a job after the commit: a dead mail server loses nothing."""
    _lead_settings(app)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_SECURITY="none", SMTP_HOST="127.0.0.1", SMTP_PORT=port
    )
    client.post(f"{BASE}/start")
    response = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
    assert response.status_code == 302 and "/help" in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200
    [flag] = _flags(app)
    assert flag.status == "new"
    with app.app_context():
        assert db.session.get(Answer, flag.answer_id) is not None
    [retry] = jobs.huey.scheduled()  # Huey will try the email again later
    assert retry.name.endswith("notify_lead") and retry.retries == 7
