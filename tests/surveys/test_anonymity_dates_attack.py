"""The dates attack on the anonymity promise (ARCHITECTURE.md, threat model; issue 14).

A round runs over two weeks. Invitations go out in waves on different days (by text and by
email), reminders follow, and invited people answer on the day they are invited or the next, as
people do; others answer through the open link or text the keyword, and some sign up on the
thank-you page. Each evening the daily jobs run: the sealed completion notices are applied,
the round's tally is written and waiting sign-ups are written in a batch once there are five.

The attacker holds the database and nothing else. Reading the schema from the database itself
(not from our models, so a date column someone adds later is found too), they collect every date
and time on the personal side around each completed invitation (the invitation, its messages,
the outbound texts, the contact) and every date and time on the anonymous side around each
response (the response, its answers and whatever refers to them), then guess, for each
completed invitation, one response of a fitting channel dated the same day or the day after.

Guessing by channel alone is chance. The test computes the attacker's expected number of right
guesses and fails if it beats chance. With a per-day completion date on responses it does, by
far (the closing note of issue 14 shows that failure).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.extensions import db
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from surveys.models import Response
from surveys.rounds.tallies import record_tallies
from surveys.web.sign_ups import apply_sign_ups
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.conftest import FROZEN_AT, TEST_DATABASE_URL
from tests.surveys.conftest import SLUG, make_open_round
from tests.surveys.sms.test_sms_conversation import TEXTS
from tests.surveys.sms.twilio_fakes import (
    Phone,
    twilio_app,  # noqa: F401 - the app fixture
)
from tests.surveys.web.test_web_survey import answer_all

WAVES = 4  # invitation waves, three days apart
PER_WAVE = 3  # contacts per channel per wave
DAYS = 13
# Which channels a response may have come in by, for an invitation sent on each channel.
FITS = {"sms": {"sms", "web"}, "email": {"web"}}


def _ids(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Response.id)))


def _answer_on_the_web(app, path: str | None = None, *, sign_up: str = "") -> None:
    browser = app.test_client()
    if path:
        browser.get(path)
    answer_all(browser)
    browser.post(f"/s/{SLUG}/check")
    if sign_up:
        browser.post(
            f"/s/{SLUG}/keep-in-touch/forum",
            data={
                "forum-kind": "forum",
                "forum-name": sign_up,
                "forum-email": f"{sign_up.replace(' ', '.')}@example.org",
                "forum-consent": "y",
            },
        )


def _answer_by_text(app, number: str, first: str) -> None:
    phone = Phone(app.test_client(), number=number)
    phone.say(first)
    for text in TEXTS.values():
        phone.say(text)


@dataclass
class Played:
    """The truth, which the attacker does not have."""

    invited: dict[int, int] = field(default_factory=dict)  # invitation id: its response id
    signed: dict[str, int] = field(default_factory=dict)  # sign-up's name: its response id


@pytest.fixture
def truth(played) -> dict[int, int]:
    """Which response each completed invitation gave."""
    return played.invited


@pytest.fixture
def played(app) -> Played:
    """Play the round; return who gave which response (the truth)."""
    played = Played()
    truth, signed = played.invited, played.signed
    round_id = make_open_round(app, channels=("web", "sms"))
    for wave in range(WAVES):
        start = wave * 2 * PER_WAVE
        add_contacts(app, PER_WAVE, start=start, team=lambda i, w=wave: f"Text {w}")
        add_contacts(app, PER_WAVE, start=start + PER_WAVE, team=lambda i, w=wave: f"Mail {w}")
    answer_on: dict[int, list[tuple[int, str]]] = defaultdict(list)
    keyword = 0
    for day in range(DAYS):
        with time_machine.travel(FROZEN_AT + timedelta(days=day), tick=True):
            if day % 3 == 0 and day // 3 < WAVES:
                wave = day // 3
                invite_all(app, round_id, ("sms",), team=f"Text {wave}")
                invite_all(app, round_id, ("email",), team=f"Mail {wave}")
                with app.app_context():
                    fresh = db.session.scalars(
                        sa.select(Invitation).where(Invitation.team.endswith(f" {wave}"))
                    ).all()
                    # Two of each channel answer the same day, one the next day.
                    for n, invitation in enumerate(sorted(fresh, key=lambda i: i.id)):
                        when = day if n % PER_WAVE < 2 else day + 1
                        how = "sms" if invitation.channels == ["sms"] else "web"
                        target = invitation.contact.mobile if how == "sms" else invitation.code
                        answer_on[when].append((invitation.id, f"{how}:{target}"))
            with app.app_context():
                invitations.send_due_reminders()
            for invitation_id, how in answer_on[day]:
                before = _ids(app)
                channel, target = how.split(":", 1)
                if channel == "sms":
                    _answer_by_text(app, target, "Hi")
                else:
                    _answer_on_the_web(app, f"/i/{target}")
                (truth[invitation_id],) = _ids(app) - before
            # People nobody invited: the open link every day, the keyword every other day.
            before = _ids(app)
            _answer_on_the_web(app, sign_up=f"Signer {day}" if day % 2 else "")
            if day % 2:
                (signed[f"Signer {day}"],) = _ids(app) - before
            if day % 2 == 0:
                _answer_by_text(app, f"+4477009009{keyword:02d}", "BELONG")
                keyword += 1
            with app.app_context():  # the evening's jobs
                invitations.apply_completion_notices()
                record_tallies()
                apply_sign_ups()
    with app.app_context():  # the round's close lets the last few through
        invitations.apply_completion_notices(everything=True)
        apply_sign_ups(everything=True)
    return played


# --- What the attacker reads: the database's own schema and rows -----------------------------


def _as_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


class Stolen:
    """The database as an attacker sees it: reflected tables, rows by key, dates by row."""

    def __init__(self) -> None:
        self.meta = sa.MetaData()
        self.meta.reflect(bind=db.engine)
        self.rows = {
            name: [r._asdict() for r in db.session.execute(sa.select(table))]
            for name, table in self.meta.tables.items()
        }

    def dated(self, table: str) -> list[str]:
        return [
            c.name
            for c in self.meta.tables[table].columns
            if isinstance(c.type, sa.Date | sa.DateTime)
        ]

    def referring(self, table: str) -> list[tuple[str, str]]:
        """(table, column) pairs that hold a key of ``table``."""
        return [
            (name, fk.parent.name)
            for name, other in self.meta.tables.items()
            for fk in other.foreign_keys
            if fk.column.table.name == table
        ]

    def dates_around(self, table: str, key, depth: int = 2) -> set[date]:
        """Every date on the row, on rows that refer to it, and on rows those refer to."""
        found: set[date] = set()
        row = next((r for r in self.rows[table] if r.get("id") == key), None)
        if row is None:
            return found
        found |= {d for c in self.dated(table) if (d := _as_day(row[c])) is not None}
        if depth == 0:
            return found
        for other, column in self.referring(table):
            for child in self.rows[other]:
                if child[column] == key:
                    found |= {d for c in self.dated(other) if (d := _as_day(child[c]))}
                    for fk in self.meta.tables[other].foreign_keys:
                        parent = fk.column.table.name
                        if parent not in (table, "survey_round", "question", "staff_user"):
                            found |= self.dates_around(parent, child[fk.parent.name], depth - 2)
        return found


def test_dates_do_not_pair_invitations_with_responses(app, truth):
    assert len(truth) == WAVES * PER_WAVE * 2
    with app.app_context():
        stolen = Stolen()
        responses = {r["id"]: r for r in stolen.rows["response"] if r["status"] == "complete"}
        response_dates = {key: stolen.dates_around("response", key) for key in responses}
        completed = [i for i in stolen.rows["invitation"] if i["status"] == "completed"]
        assert len(completed) == len(truth), "the notices were not all applied"
        chance = attack = 0.0
        for invitation in completed:
            sent_on = stolen.dates_around("invitation", invitation["id"])
            sent_on |= stolen.dates_around("contact", invitation["contact_id"], depth=0)
            assert len(sent_on) >= 1, "the attacker should hold the day it was sent"
            fitting = [
                k for k, r in responses.items() if r["channel"] in FITS[_channel(invitation)]
            ]
            chance += 1 / len(fitting) if truth[invitation["id"]] in fitting else 0
            near = [
                k
                for k in fitting
                if any(0 <= (d - s).days <= 1 for d in response_dates[k] for s in sent_on)
            ]
            guesses = near or fitting  # no date to go on: guess among them all
            attack += 1 / len(guesses) if truth[invitation["id"]] in guesses else 0
    # Expected right guesses out of len(truth): by dates, and by channel alone.
    assert attack <= chance + 1e-9, (
        f"dates pair invitations with responses: {attack:.1f} expected right guesses of "
        f"{len(truth)}, against {chance:.1f} by chance"
    )


def _channel(invitation: dict) -> str:
    channels = invitation["channels"]
    return (channels if isinstance(channels, list) else json.loads(channels))[0]


@pytest.mark.skipif(TEST_DATABASE_URL is None, reason="PostgreSQL system columns")
def test_sign_ups_do_not_pair_with_responses_by_row_version(app, played):
    """A sign-up is sent from the thank-you page in its own request, just after the answers.
    The attacker sorts the rows by row version (``xmin``) and pairs each sign-up with the
    response written just before it. A sign-up written alone and paired right is re-identified;
    one written in a batch of five hides among them, as an applied completion notice does."""
    with app.app_context():
        responses = sorted(
            db.session.execute(sa.text("SELECT xmin::text::bigint, id FROM response")).all()
        )
        sign_ups = db.session.execute(
            sa.text("SELECT name, xmin::text::bigint FROM contact_request")
        ).all()
    assert len(sign_ups) == len(played.signed) == DAYS // 2
    together = Counter(xmin for _, xmin in sign_ups)
    written_with_a_response = {x for x, _ in responses} & set(together)
    assert not written_with_a_response, "a sign-up was written in a respondent's transaction"
    right = 0
    for name, xmin in sign_ups:
        before = [response_id for x, response_id in responses if x < xmin]
        if together[xmin] == 1 and before and before[-1] == played.signed[name]:
            right += 1
    assert right == 0, f"{right} of {len(sign_ups)} sign-ups paired with their answers by xmin"
    assert max(together.values()) >= 5, "sign-ups were not written in a batch"
