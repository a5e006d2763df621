"""Voiding a keyed paper form: confirm step, gone from every count, audited without naming
anyone, and the serial free to key again or reprint."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.models import Answer, Response, SurveyRound
from surveys.paper.models import PaperForm
from surveys.rounds.services import round_figures
from surveys.safeguarding.models import SafeguardingFlag
from tests.surveys.paper.helpers import form


def _counts(app, round_id):
    with app.app_context():
        figures = round_figures(db.session.get(SurveyRound, round_id))
        answers = db.session.scalar(sa.select(sa.func.count(Answer.id)))
        return figures.complete, answers


def test_a_worker_voids_a_keyed_form_after_confirming(app, logged_in_as, round_id):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/paper/rounds/{round_id}"
    client.post(f"{url}/key", data={"channel": "paper", "serial": "7", **form()})
    client.post(f"{url}/key", data={"channel": "paper", "serial": "8", **form(Q7="Keep going.")})
    assert _counts(app, round_id)[0] == 2
    assert "Void a keyed form" in client.get("/staff/paper").text

    check = client.post(f"{url}/void", data={"serial": "test26-7", "reason": "wrong_serial"})
    assert check.status_code == 200
    assert "Void TEST26-0007?" in check.text and "cannot be undone" in check.text
    assert _counts(app, round_id)[0] == 2  # nothing changes before the confirm

    done = client.post(
        f"{url}/void", data={"serial": "test26-7", "reason": "wrong_serial", "confirmed": "yes"}
    )
    assert done.status_code == 302
    assert "Voided TEST26-0007" in client.get(done.headers["Location"]).text
    complete, answers = _counts(app, round_id)
    assert complete == 1
    with app.app_context():
        left = db.session.scalar(sa.select(Response))
        assert {a.question.code: a.value for a in left.answers}["Q7"] == {"text": "Keep going."}
        assert answers == len(left.answers)  # the voided form's answers are gone too
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "paper.void"))
        assert event.detail == "TEST26-0007: Keyed under the wrong serial number"
        assert event.actor_label == "participation_worker@example.org"
        # Nothing in the log names the response the form became.
        assert str(left.id) not in " ".join(
            e.detail or "" for e in db.session.scalars(sa.select(AuditEvent))
        )

    # The same serial is free again: key it properly.
    again = client.post(f"{url}/key", data={"channel": "paper", "serial": "7", **form()})
    assert again.status_code == 302
    assert _counts(app, round_id)[0] == 2


def test_the_form_keeps_its_response_sealed_not_readable(app, logged_in_as, round_id):
    client = logged_in_as(Role.DATA_ENTRY)
    client.post(
        f"/staff/paper/rounds/{round_id}/key", data={"channel": "paper", "serial": "3", **form()}
    )
    with app.app_context():
        response_id = db.session.scalar(sa.select(Response.id))
        box = db.session.scalar(sa.select(PaperForm.response_box))
        assert box and str(response_id) not in box


def test_void_refuses_unkeyed_serials_missing_reasons_and_data_entry(app, logged_in_as, round_id):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/paper/rounds/{round_id}/void"
    nothing = client.post(url, data={"serial": "12", "reason": "mistakes", "confirmed": "yes"})
    assert nothing.status_code == 400 and "has not been keyed" in nothing.text
    no_reason = client.post(url, data={"serial": "12"})
    assert no_reason.status_code == 400 and "Choose why the form is being voided" in no_reason.text
    client.post("/sign-out")
    keyer = logged_in_as(Role.DATA_ENTRY)
    assert keyer.get(url).status_code == 403


def test_a_lost_or_voided_form_is_reprinted_with_its_own_serial(app, logged_in_as, round_id):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/paper/rounds/{round_id}"
    assert "Reprint one form" in client.get(f"{url}/print").text
    pdf = client.post(f"{url}/reprint", data={"serial": "TEST26-0005"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "paper-forms-0005-0005.pdf" in pdf.headers["Content-Disposition"]
    never = client.post(f"{url}/reprint", data={"serial": "999"})
    assert never.status_code == 400 and "was never printed" in never.text
    client.post(f"{url}/key", data={"channel": "paper", "serial": "5", **form()})
    keyed = client.post(f"{url}/reprint", data={"serial": "5"})
    assert keyed.status_code == 400 and "Void it first" in keyed.text
    with app.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "paper.reprint")
        )


def test_voiding_a_form_keeps_its_safeguarding_flag_and_the_leads_notes(
    app, logged_in_as, round_id
):
    """The attack: voiding deleted the form's answers, and with them (a cascade) the flag the
    lead was working on, notes and all."""
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    url = f"/staff/paper/rounds/{round_id}"
    disclosure = "My stepdad hits me when he is drunk."
    client.post(f"{url}/key", data={"channel": "paper", "serial": "7", **form(Q7=disclosure)})
    with app.app_context():
        flag = db.session.scalar(sa.select(SafeguardingFlag))
        assert flag is not None and flag.answer_id is not None
        flag.note = "Spoke to the leaving care manager."
        db.session.commit()
    client.post(
        f"{url}/void", data={"serial": "test26-7", "reason": "wrong_serial", "confirmed": "yes"}
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0  # the answers go
        [kept] = db.session.scalars(sa.select(SafeguardingFlag))
        assert kept.answer_id is None and kept.origin == "voided"
        assert disclosure in kept.said and "leaving care manager" in kept.note
        assert kept.where.startswith("A voided paper form")
