"""A flag is never deleted with its answer: the lead's notes stay, whatever removes the answer.

The attack: the flag's foreign key cascaded, so any way an answer went (a response deleted by
hand or by a future clean-up, not only a voided paper form, which moves the words first) took
the flag and the lead's notes with it, silently.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Answer, Response
from surveys.safeguarding.models import SafeguardingFlag
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"
NOTE = "Rang the young person's PA."


def test_deleting_a_flagged_answer_keeps_its_flag_and_the_leads_notes(app, client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": "he hits me when he's drunk"})
    with app.app_context():
        flag = db.session.scalar(sa.select(SafeguardingFlag))
        assert flag is not None and flag.answer_id is not None
        flag.note = NOTE
        db.session.commit()
        # Straight to the database, as a clean-up or an administrator would: no ORM cascade.
        db.session.execute(sa.delete(Answer))
        db.session.execute(sa.delete(Response))
        db.session.commit()
        [kept] = db.session.scalars(sa.select(SafeguardingFlag))
        assert kept.answer_id is None and kept.note == NOTE
        assert kept.where.startswith("A survey answer since deleted")


def test_the_lead_reads_what_happened_to_the_answer(app, client, round_id, logged_in_as):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q7", data={"action": "answer", "text": "he hits me when he's drunk"})
    with app.app_context():
        db.session.execute(sa.delete(Answer))
        db.session.commit()
        flag_id = db.session.scalar(sa.select(SafeguardingFlag.id))
    page = logged_in_as(Role.SAFEGUARDING_LEAD).get(f"/safeguarding/{flag_id}")
    assert page.status_code == 200 and "has since been deleted" in page.text
