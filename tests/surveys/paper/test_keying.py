"""Keying paper forms: serials, validation, double entry, settling, and what counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.models import Answer, Channel, Response, SurveyRound
from surveys.paper import services as paper
from surveys.paper.models import FormStatus, KeyedEntry, PaperForm
from surveys.rounds.services import round_figures
from surveys.services import close_round
from tests.conftest import make_staff
from tests.surveys.conftest import make_open_round
from tests.surveys.paper.helpers import form


def _round(round_id: int) -> SurveyRound:
    return db.session.get(SurveyRound, round_id)


def _key(survey_round, serial, data=None, *, user=None, channel=Channel.PAPER, assisted=False):
    return paper.key_form(
        survey_round, serial, channel, assisted, form() if data is None else data, user_id=user
    )


def test_a_keyed_form_becomes_a_complete_paper_response_through_the_engine(app, round_id):
    with app.app_context():
        r = _round(round_id)
        result = _key(r, "TEST26-0001")
        assert result.status == FormStatus.VERIFIED
        response = db.session.scalar(sa.select(Response))
        assert (response.channel, response.status, response.assisted) == (
            "paper",
            "complete",
            False,
        )
        values = {a.question.code: a.value for a in response.answers}
        assert values["Q2"] == {"choice": "4"}
        assert values["Q4"] == {"items": ["Having my own space", "My PA"]}
        assert values["Q11"] == {"choice": "yes"}
        assert values["Q1"]["age"] >= 18  # the date itself is not stored
        assert values["Q6"] is None  # left blank = skipped
        skipped = db.session.scalar(
            sa.select(Answer).join(Answer.question).where(sa.literal_column("code") == "Q6")
        )
        assert skipped.skipped
        figures = round_figures(r)
        paper_row = next(c for c in figures.by_channel if c.channel == "paper")
        assert (paper_row.complete, figures.complete) == (1, 1)
        # The keyer is in the audit log, not on the response.
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "paper.key"))
        assert event.object_type == "PaperForm" and "TEST26-0001" in event.detail


@pytest.mark.parametrize("serial", ["TEST26-0007", "test26 7", "7", " 0007 "])
def test_serials_are_read_however_they_are_typed(app, round_id, serial):
    with app.app_context():
        assert paper.parse_serial(_round(round_id), serial) == 7


def test_a_serial_already_keyed_is_refused_with_a_clear_message(app, round_id):
    with app.app_context():
        r = _round(round_id)
        _key(r, "TEST26-0002")
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "2")
        assert "TEST26-0002 has already been keyed" in caught.value.errors["serial"]
        assert paper.serial_status(r, "TEST26-0002", None).message.endswith("already been keyed")
        assert paper.serial_status(r, "TEST26-0003", None).message == (
            "Serial TEST26-0003 is ready to key"
        )
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_a_serial_from_another_round_is_refused(app, round_id):
    other = make_open_round(app, slug="other25", name="Last year")
    with app.app_context():
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(_round(round_id), "OTHER25-0001")
        assert "is from the round 'Last year'" in caught.value.errors["serial"]
        assert other


def test_a_blank_form_and_impossible_answers_are_refused(app, round_id):
    with app.app_context():
        r = _round(round_id)
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "1", {})
        assert "This form is blank" in caught.value.errors["serial"]
        born = date.today().replace(year=date.today().year - 20) - timedelta(days=3)
        under_18 = form(Q1=born.strftime("%d %m %Y"), Q2="1")
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "1", under_18)
        assert "age of 20" in caught.value.errors["Q2"]
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "1", form(Q2="9", Q3="1 2", Q11="maybe", Q2_other="words"))
        errors = caught.value.errors
        assert "type a number from 1 to 6" in errors["Q2"]
        assert "only one box" in errors["Q3"]
        assert "1 for yes" in errors["Q11"]
        assert db.session.scalar(sa.select(sa.func.count(PaperForm.id))) == 0


def test_other_needs_its_words_and_words_need_other(app, round_id):
    with app.app_context():
        r = _round(round_id)
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "1", form(Q2="4", Q2_other="With my nan"))
        assert "only go with the 'Other' box" in caught.value.errors["Q2_other"]
        _key(r, "1", form(Q2="6", Q2_other="With my nan"))
        value = db.session.scalar(
            sa.select(Answer.value)
            .where(Answer.value.is_not(None))
            .where(Answer.question_id == r.questionnaire.questions[1].id)
        )
        assert value == {"choice": "6", "other": "With my nan"}


def test_keying_is_allowed_after_closing_until_the_data_entry_deadline(app, round_id):
    with app.app_context():
        r = _round(round_id)
        r.closes_on = r.opens_on
        close_round(r)
        paper.update_settings(r, entry_deadline=date.today(), double_entry=False)
        _key(r, "1")
        paper.update_settings(
            r, entry_deadline=date.today() - timedelta(days=1), double_entry=False
        )
        with pytest.raises(paper.KeyingError, match="data entry deadline"):
            _key(r, "2")


def test_double_entry_catches_a_mismatch_and_a_third_person_settles_it(app, round_id):
    first, second, third = (
        make_staff(app, Role.DATA_ENTRY, f"k{n}@example.org") for n in (1, 2, 3)
    )
    with app.app_context():
        r = _round(round_id)
        paper.update_settings(r, entry_deadline=None, double_entry=True)

        one = _key(r, "TEST26-0005", user=first)
        assert one.status == FormStatus.KEYED_ONCE
        # Unverified forms are not counted anywhere: there is no response yet.
        assert round_figures(r).complete == 0 and round_figures(r).started == 0
        assert paper.awaiting_verification(r) == 1
        with pytest.raises(paper.KeyingInvalid) as caught:
            _key(r, "5", user=first)
        assert "Someone else must key the second copy" in caught.value.errors["serial"]

        two = _key(r, "5", form(Q3="1", Q7="Ask for help!"), user=second)
        assert two.status == FormStatus.MISMATCH
        assert two.differences == ["Q3", "Q7"]
        assert round_figures(r).complete == 0
        assert round_figures(r).awaiting_verification == 1

        paper_form = paper.forms_to_settle(r)[0]
        found = paper.differences(list(r.questionnaire.questions), *paper_form.entries)
        assert [(d.first, d.second) for d in found] == [
            ("Female", "Male"),
            ("Ask for help.", "Ask for help!"),
        ]
        with pytest.raises(paper.KeyingError, match="someone else must settle"):
            paper.settle(paper_form, {"Q3": "1", "Q7": "2"}, user_id=second)
        with pytest.raises(paper.KeyingInvalid):
            paper.settle(paper_form, {"Q3": "1"}, user_id=third)
        paper.settle(paper_form, {"Q3": "1", "Q7": "2"}, user_id=third)

        assert paper_form.status == FormStatus.VERIFIED
        assert db.session.scalar(sa.select(sa.func.count(KeyedEntry.id))) == 0
        response = db.session.scalar(sa.select(Response))
        values = {a.question.code: a.value for a in response.answers}
        assert values["Q3"] == {"choice": "2"} and values["Q7"] == {"text": "Ask for help!"}
        figures = round_figures(r)
        assert (figures.complete, figures.awaiting_verification) == (1, 0)
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "paper.settle")
            )
            == 1
        )


def test_double_entry_that_agrees_is_verified_at_once(app, round_id):
    first, second = (make_staff(app, Role.DATA_ENTRY, f"k{n}@example.org") for n in (1, 2))
    with app.app_context():
        r = _round(round_id)
        paper.update_settings(r, entry_deadline=None, double_entry=True)
        _key(r, "8", user=first, channel=Channel.PHONE, assisted=True)
        result = _key(r, "8", user=second, channel=Channel.PHONE, assisted=True)
        assert result.status == FormStatus.VERIFIED
        response = db.session.scalar(sa.select(Response))
        assert (response.channel, response.assisted, response.status) == ("phone", True, "complete")


def test_interviews_without_a_printed_form_get_the_next_number(app, unprinted_round_id):
    with app.app_context():
        r = _round(unprinted_round_id)
        assert paper.allocate_serials(r, 3) == [1, 2, 3]
        result = _key(r, "", channel=Channel.FACE_TO_FACE, assisted=True)
        assert result.serial == "TEST26-0004"
        assert paper.allocate_serials(r, 2) == [5, 6]


def test_a_serial_that_was_never_printed_is_refused(app, round_id, logged_in_as):
    with app.app_context():
        r = _round(round_id)
        with pytest.raises(paper.KeyingInvalid) as refused:
            _key(r, "TEST26-0051")
        assert "was never printed" in refused.value.errors["serial"]
        assert "TEST26-0001 to TEST26-0050" in refused.value.errors["serial"]
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        assert _key(r, "TEST26-0050").status == FormStatus.VERIFIED
    client = logged_in_as(Role.DATA_ENTRY)
    check = client.get(f"/staff/paper/rounds/{round_id}/serial?serial=test26-51")
    assert "was never printed" in check.get_data(as_text=True)
