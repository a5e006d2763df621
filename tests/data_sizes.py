"""A round at a chosen size, and the SQL statements a page issues (issue 20).

``seed(size)`` builds, without the HTTP journey, what every staff list and aggregate page reads:
a closed round and an open one with ``size`` responses (every question answered), ``size``
contacts invited by text, email and letter, every free-text unit coded (with a second coding
and quotes), the demo forum plus ``size`` members at one meeting, and the board's snapshots.
The fictional demo accounts sign in (``DEMO_ACCOUNTS``).

``StatementLog`` counts the statements an engine runs (SQLAlchemy's ``before_cursor_execute``)
and notes every write (INSERT, UPDATE, DELETE, but for the audit log's) with the HTTP method of
the request that ran it, so a test can check both "bounded whatever the size" and "no GET
writes".

Used by tests/app/test_statement_counts.py and tests/bench/test_statement_bench.py.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, has_request_context, request

from app.board.demo import seed_board_demo
from app.core import clock
from app.core.clock import utcnow
from app.core.extensions import db
from app.demo import DEMO_ACCOUNTS, seed_authority, seed_staff
from app.messaging.models import OutboundMessage
from app.outreach.contacts.models import Contact
from app.outreach.invitations import services as invitations
from app.staff.auth.models import Role, StaffUser
from forum.demo import seed_forum_demo
from forum.models import Attendance, ForumMeeting, ForumMember
from surveys.models import RoundStatus
from surveys.response_rate import record_eligible_at_opening
from surveys.rounds.demo import _add_responses, _make_round
from surveys.services import load_questionnaire_file
from surveys.themes import services as themes
from surveys.themes.demo import _code, _quotes, _second_coding

SMALL, LARGE = 20, 200
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# The one write a GET may make: the audit log's line saying who looked at personal data
# (ARCHITECTURE.md: every view of personal data is audited). It adds a row; it changes nothing.
AUDIT = re.compile(r"^\s*INSERT INTO audit_event\b", re.IGNORECASE)


@dataclass(frozen=True)
class Seeded:
    round_id: int
    previous_round_id: int
    meeting_id: int
    contact_id: int  # one invited contact (their page lists what was sent to them)


def _staff(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def seed(app: Flask, size: int) -> Seeded:
    with app.app_context():
        seed_authority()
        seed_staff()
        db.session.commit()
        questionnaire = load_questionnaire_file()
        rng = random.Random(size)
        on = clock.today()  # the app's clock (frozen in tests), never the machine's
        previous = _make_round(
            questionnaire,
            "Sized survey 2025",
            "sized25",
            opens_on=on - timedelta(days=400),
            closes_on=on - timedelta(days=330),
            status=RoundStatus.CLOSED,
        )
        _add_responses(
            rng,
            previous,
            questionnaire,
            size // 2,
            first=previous.opens_on,
            last=previous.closes_on,
            unfinished=0.0,
        )
        current = _make_round(
            questionnaire,
            "Sized survey 2026",
            "sized26",
            opens_on=on - timedelta(days=30),
            closes_on=on + timedelta(days=30),
            status=RoundStatus.OPEN,
        )
        _add_responses(rng, current, questionnaire, size, first=current.opens_on, last=on)
        db.session.commit()

        db.session.execute(
            sa.insert(Contact),
            [
                {
                    "name": f"Sized Person {n}",
                    "name_key": f"sized person {n}",
                    "date_of_birth": on - timedelta(days=365 * 19 + n),
                    "mobile": f"+4477009{n:05d}",
                    "email": f"person{n}@example.org",
                    "address": f"{n} Fiction Street\nNorthbridge",
                    "postcode": "NB1 1AA",
                    "team": ["Leaving Care North", "Leaving Care South"][n % 2],
                    "legal_status": "former_relevant",
                    "consent": True,
                    "preferred_channel": "sms",
                }
                for n in range(size)
            ],
        )
        db.session.commit()
        record_eligible_at_opening(current)
        invitations.create_invitations(
            current, invitations.InviteFilter(), ["sms", "email", "letter"]
        )
        # The send worker's work, without it: most texts delivered, some failed. The contact
        # messages still say "queued" until a page reads the texts' statuses.
        texts = list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))
        for n, text in enumerate(texts):
            text.status = "failed" if n % 5 == 0 else "delivered"
            text.sent_at, text.error_code = utcnow(), "30003" if n % 5 == 0 else None
        db.session.commit()

        worker, peer = _staff("worker@northbridge.example"), _staff("peer@northbridge.example")
        codebook = themes.create_codebook(current)
        codebook.double_code_percent = 20
        _code(current, codebook, share=1.0, coders=[worker, peer], rng=random.Random(1))
        _second_coding(current, codebook, worker, peer, random.Random(2))
        _quotes(current, worker)
        db.session.commit()

        seed_forum_demo()
        meeting = ForumMeeting(held_on=on - timedelta(days=3), place="Youth Centre", agenda="")
        members = [
            ForumMember(name=f"Sized Member {n}", date_of_birth=on - timedelta(days=7000 + n))
            for n in range(size)
        ]
        db.session.add_all([meeting, *members])
        meeting.attendance.extend(
            Attendance(member=m, payment_pence=1000, payment_type="voucher") for m in members
        )
        db.session.commit()
        seed_board_demo()
        contact_id = db.session.scalar(sa.select(Contact.id).order_by(Contact.id).limit(1))
        assert contact_id is not None
        return Seeded(current.id, previous.id, meeting.id, contact_id)


def sign_in(app: Flask, role: Role):
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": account.email, "password": account.password})
    assert response.status_code == 302, f"sign-in failed for {role}"
    return client


@dataclass
class StatementLog:
    statements: int = 0
    writes: list[tuple[str, str]] = field(default_factory=list)  # (HTTP method, statement)

    def __call__(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        self.statements += 1
        if WRITE.match(statement) and not AUDIT.match(statement):
            method = request.method if has_request_context() else "-"
            self.writes.append((method, " ".join(statement.split())[:160]))


@contextmanager
def statements(app: Flask) -> Iterator[StatementLog]:
    """Count every statement the app's engine runs inside the block."""
    log = StatementLog()
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)
