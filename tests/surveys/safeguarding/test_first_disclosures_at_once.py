"""A new install's first disclosures, arriving at the same moment.

The screening list is copied into the database the first time an answer with free text is
screened, inside that answer's transaction. When several young people send such answers at
once, each copy meets the others' rows: before, every one but the first failed with a 500 on
PostgreSQL (a duplicate rule key), so those young people saw an error instead of help and their
answers and flags were lost. Each must be stored, flagged and answered with help.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer
from surveys.safeguarding.models import SafeguardingFlag, ScreeningRule
from surveys.safeguarding.screening import load_rules
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"
DISCLOSURE = "honestly some days i feel like ending it"
PEOPLE = 6


def test_each_of_the_first_disclosures_at_once_is_stored_flagged_and_answered_with_help(
    app, round_id
):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ScreeningRule.id))) == 0  # a new install
    ready = threading.Barrier(PEOPLE)
    sent: list[tuple[int, str]] = []

    def disclose() -> None:
        client = app.test_client()
        client.post(f"{BASE}/start")
        ready.wait()  # everyone sends at once
        answer = client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": DISCLOSURE})
        sent.append((answer.status_code, answer.headers.get("Location", "")))

    threads = [threading.Thread(target=disclose) for _ in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent) == PEOPLE
    assert all(status == 302 and "/help" in where for status, where in sent), sent
    with app.app_context():
        answers = db.session.scalar(sa.select(sa.func.count(Answer.id)))
        flags = db.session.scalars(sa.select(SafeguardingFlag.level)).all()
        rules = db.session.scalar(sa.select(sa.func.count(ScreeningRule.id)))
    assert answers == PEOPLE
    assert flags == ["likely"] * PEOPLE
    assert rules == len(load_rules())  # the shipped list, copied once
