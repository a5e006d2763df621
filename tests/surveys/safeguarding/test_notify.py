"""A flag is never lost: stored with the answer first, then the lead is emailed by a job.

Real SMTP servers at the network edge: aiosmtpd (stopped, then started) and a socket that
accepts and never answers (a hanging server).
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller

from app.core import jobs
from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.authority.services import get_settings
from surveys.models import Answer
from surveys.safeguarding import services
from surveys.safeguarding.models import SafeguardingFlag
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"
DISCLOSURE = "honestly some days i feel like ending it"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(app, port: int, **extra) -> None:
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_SECURITY="none",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_TIMEOUT=2,
    )
    with app.app_context():
        settings = get_settings()
        settings.safeguarding_lead_email = "lead@council.example"
        for key, value in extra.items():
            setattr(settings, key, value)
        db.session.commit()


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag)))


def test_a_stopped_mail_server_loses_nothing_and_the_retry_delivers(
    app, client, round_id, job_queue
):
    port = _free_port()
    _settings(app, port)
    client.post(f"{BASE}/start")
    response = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
    assert "/help" in response.headers["Location"]
    [flag] = _flags(app)
    assert flag.level == "likely" and "rules" in flag.layers
    job_queue()  # the first try fails: nobody listens
    [retry] = jobs.huey.scheduled()
    assert retry.name.endswith("notify_lead")
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        job_queue(retries=True)
    finally:
        server.stop()
    [email] = inbox.messages
    assert "lead@council.example" in email and DISCLOSURE not in email
    with app.app_context():
        assert db.session.get(Answer, flag.answer_id) is not None


def test_a_hanging_mail_server_blocks_no_answer_and_no_other_write(app, round_id, job_queue):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    _settings(app, listener.getsockname()[1])
    first, second = app.test_client(), app.test_client()
    try:
        first.post(f"{BASE}/start")
        started = time.perf_counter()
        response = first.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
        assert "/help" in response.headers["Location"]
        assert time.perf_counter() - started < 2  # nothing waited for the mail server
        # The consumer now tries the email and hangs; meanwhile another young person answers.
        worker = threading.Thread(target=job_queue)
        worker.start()
        second.post(f"{BASE}/start")
        started = time.perf_counter()
        other = second.post(f"{BASE}/q/Q7", data={"action": "answer", "text": "i love my flat"})
        assert other.status_code == 302
        assert time.perf_counter() - started < 1.5, "a hanging mail server blocked a write"
        worker.join(10)
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
    [flag] = _flags(app)
    assert flag.level == "likely"
    assert [r.name.split(".")[-1] for r in jobs.huey.scheduled()] == ["notify_lead"]


def test_unreviewed_flags_go_to_the_deputy_without_answer_text(app, client, round_id):
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    server.start()
    try:
        _settings(app, server.port, safeguarding_deputy_email="deputy@council.example")
        client.post(f"{BASE}/start")
        client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
        assert len(inbox.messages) == 1  # the lead, at once
        with app.app_context():
            assert services.escalate_overdue() == 0  # raised today: not overdue yet
        later = time_machine.travel(utcnow() + timedelta(hours=25), tick=False)
        with later, app.app_context():
            assert services.escalate_overdue() == 1
            assert services.escalate_overdue() == 0  # once only
    finally:
        server.stop()
    deputy = inbox.messages[-1]
    assert "deputy@council.example" in deputy and "not been reviewed within 24 hours" in deputy
    assert DISCLOSURE not in deputy and "feel like" not in deputy
    [flag] = _flags(app)
    assert flag.escalated


@pytest.mark.parametrize(
    ("text", "level"),
    [("i had a tough time, i am so scared", "possible"), ("i want to kill myself", "likely")],
)
def test_the_level_decides_the_page_and_the_email(app, client, round_id, text, level):
    from app.messaging import mail  # the console backend's outbox

    mail.outbox.clear()
    with app.app_context():
        get_settings().safeguarding_lead_email = "lead@council.example"
        db.session.commit()
    client.post(f"{BASE}/start")
    response = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": text})
    [flag] = _flags(app)
    assert flag.level == level
    if level == "likely":
        assert "/help" in response.headers["Location"]
        assert "Thank you for telling us" in client.get(response.headers["Location"]).text
        assert len(mail.outbox) == 1
    else:
        page = client.get(response.headers["Location"]).text
        assert "If any of this is happening now, here is help" in page
        assert mail.outbox == []  # waits in the queue for review
