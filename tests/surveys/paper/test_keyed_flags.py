"""A disclosure on a paper form keyed under double entry reaches the lead when it is first keyed.

The attack: with double entry on, a form's answers became a response (and were screened) only
when a second person keyed it and the keyings agreed, or someone settled them. A form keyed once
and never again, or waiting on a mismatch, raised no flag at all: the keyer was told to hand
the form over, and the lead's list stayed empty. Now the first keying raises the flag; the
answer takes it over at verification, so the lead keeps one flag with their notes, told once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import today
from app.core.extensions import db
from app.messaging import mail
from app.staff.auth.models import Role
from app.staff.authority.services import get_settings
from surveys.models import Answer, Channel, SurveyRound
from surveys.paper import services as paper
from surveys.paper.models import FormStatus
from surveys.safeguarding.models import SafeguardingFlag
from tests.conftest import make_staff
from tests.surveys.paper.helpers import form

DISCLOSURE = "I want to kill myself most nights"
SPOKEN = "Spoke to the leaving care manager."


def _double_entry(app, round_id: int) -> list[int]:
    """Double entry on, the lead's email set; three data entry staff."""
    with app.app_context():
        paper.update_settings(
            db.session.get(SurveyRound, round_id), entry_deadline=None, double_entry=True
        )
        get_settings().safeguarding_lead_email = "lead@council.example"
        db.session.commit()
    mail.outbox.clear()
    return [make_staff(app, Role.DATA_ENTRY, f"k{n}@example.org") for n in (1, 2, 3)]


def _key(app, round_id: int, serial: str, data: dict, user: int) -> paper.KeyResult:
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        return paper.key_form(survey_round, serial, Channel.PAPER, False, data, user_id=user)


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


def _note(app, status: str | None = None) -> None:
    """The lead reads the flag and writes a note (and closes it)."""
    with app.app_context():
        flag = db.session.scalar(sa.select(SafeguardingFlag))
        flag.note = SPOKEN
        if status:
            flag.status = status
        db.session.commit()


def test_a_disclosure_keyed_once_is_flagged_for_the_lead_before_any_second_keying(
    app, round_id, logged_in_as
):
    first, _, _ = _double_entry(app, round_id)
    result = _key(app, round_id, "7", form(Q7=DISCLOSURE), first)
    assert result.status == FormStatus.KEYED_ONCE and result.flagged
    [flag] = _flags(app)
    assert (flag.status, flag.answer_id, flag.origin) == ("new", None, "keyed")
    assert DISCLOSURE in flag.said and flag.round_id == round_id
    [email] = mail.outbox  # a "likely" flag is emailed now, not when the form is checked
    assert email["To"] == "lead@council.example"
    assert DISCLOSURE not in email.get_content()
    lead = logged_in_as(Role.SAFEGUARDING_LEAD)
    listed = lead.get("/safeguarding")
    assert "A paper form keyed once" in listed.text
    page = lead.get(f"/safeguarding/{flag.id}")
    assert DISCLOSURE in page.text and "What they wrote" in page.text


def test_the_answer_takes_over_the_flag_at_verification_with_the_leads_notes_told_once(
    app, round_id
):
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "7", form(Q7=DISCLOSURE), first)
    _note(app)
    result = _key(app, round_id, "7", form(Q7=DISCLOSURE), second)
    assert result.status == FormStatus.VERIFIED
    [flag] = _flags(app)  # one flag, not a second one for the same words
    with app.app_context():
        answer = db.session.get(Answer, flag.answer_id)
        assert answer is not None and answer.value == {"text": DISCLOSURE}
    assert (flag.origin, flag.note, flag.status) == ("answer", SPOKEN, "new")
    assert len(mail.outbox) == 1  # the lead was told once, at the first keying


def test_a_flag_the_lead_closed_stays_closed_when_the_same_words_are_verified(app, round_id):
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "7", form(Q7=DISCLOSURE), first)
    _note(app, status="action_taken")
    _key(app, round_id, "7", form(Q7=DISCLOSURE), second)
    [flag] = _flags(app)
    assert flag.answer_id is not None and flag.status == "action_taken"
    assert len(mail.outbox) == 1


def test_a_disclosure_only_the_second_keying_has_is_flagged_while_the_form_waits_to_be_settled(
    app, round_id
):
    first, second, third = _double_entry(app, round_id)
    _key(app, round_id, "9", form(), first)
    assert _flags(app) == []
    result = _key(app, round_id, "9", form(Q7=DISCLOSURE), second)
    assert result.status == FormStatus.MISMATCH
    [flag] = _flags(app)
    assert flag.origin == "keyed" and DISCLOSURE in flag.said
    # Settled with the first keying's words: no answer holds the disclosure, and the flag
    # stays for the lead with the words that were keyed.
    with app.app_context():
        [waiting] = paper.forms_to_settle(db.session.get(SurveyRound, round_id))
        paper.settle(waiting, {"Q7": "1"}, user_id=third)
    [flag] = _flags(app)
    assert flag.answer_id is None and DISCLOSURE in flag.said


def test_new_words_at_the_second_keying_reopen_a_flag_the_lead_closed(app, round_id):
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "9", form(Q7=DISCLOSURE), first)
    _note(app, status="no_concern")
    also = "he hits me when he is drunk"
    _key(app, round_id, "9", form(Q7=DISCLOSURE, Q12=also), second)
    [flag] = _flags(app)
    assert flag.status == "new" and DISCLOSURE in flag.said and also in flag.said


def test_voiding_a_form_keyed_once_keeps_its_flag_with_the_words(app, round_id):
    first, _, _ = _double_entry(app, round_id)
    _key(app, round_id, "7", form(Q7=DISCLOSURE), first)
    with app.app_context():
        paper.void_form(db.session.get(SurveyRound, round_id), "7", "wrong_serial")
    with app.app_context():
        [flag] = db.session.scalars(sa.select(SafeguardingFlag))
        assert flag.origin == "voided" and DISCLOSURE in flag.said and "voided" in flag.note
        assert flag.where.startswith("A voided paper form")


# From an adversarial review of the above.
HITS = "he hits me when he is drunk"


def test_two_keyers_racing_the_first_keying_get_a_clear_message_and_the_lead_one_flag(
    app, round_id, monkeypatch
):
    """Screening the words read the database, which flushed the new form row before the
    unique serial was claimed: the loser of a race got a 500, not "just been keyed"."""
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "7", form(Q7=DISCLOSURE), first)
    # The second keyer's look for the serial came just before the first keyer's commit.
    monkeypatch.setattr(paper, "find_form", lambda survey_round, number: None)
    with pytest.raises(paper.KeyingInvalid) as caught:
        _key(app, round_id, "7", form(Q7=DISCLOSURE + " again"), second)
    assert "just been keyed" in caught.value.errors["serial"]
    assert len(_flags(app)) == 1 and len(mail.outbox) == 1


def test_two_flagged_answers_on_one_form_keep_the_leads_closed_flag_and_tell_them_once(
    app, round_id
):
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "7", form(Q7=DISCLOSURE, Q12=HITS), first)
    [flag] = _flags(app)
    assert DISCLOSURE in flag.said and HITS in flag.said
    _note(app, status="action_taken")
    _key(app, round_id, "7", form(Q7=DISCLOSURE, Q12=HITS), second)
    flags = _flags(app)
    assert len(flags) == 2 and all(f.answer_id is not None for f in flags)
    assert [(f.status, f.note) for f in flags] == [("action_taken", SPOKEN)] * 2
    assert len(mail.outbox) == 1


def test_words_settled_away_stay_on_the_flag_the_lead_acted_on(app, round_id):
    first, second, third = _double_entry(app, round_id)
    _key(app, round_id, "9", form(Q7=DISCLOSURE), first)
    _note(app, status="action_taken")
    _key(app, round_id, "9", form(Q7="", Q12=HITS), second)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        [waiting] = paper.forms_to_settle(survey_round)
        found = paper.differences(list(survey_round.questions), *waiting.entries)
        paper.settle(waiting, {d.key: "2" for d in found}, user_id=third)
    [flag] = _flags(app)
    with app.app_context():
        answer = db.session.get(Answer, flag.answer_id)
        assert answer.value == {"text": HITS}
    assert DISCLOSURE in flag.said and flag.note == SPOKEN


def test_new_words_beside_a_long_keyed_answer_are_not_cut_off(app, round_id):
    first, second, _ = _double_entry(app, round_id)
    long = DISCLOSURE + ". " + "I do not like my flat and the heating is broken. " * 40
    _key(app, round_id, "9", form(Q7=long), first)
    _note(app, status="no_concern")
    _key(app, round_id, "9", form(Q7=long, Q12=HITS), second)
    [flag] = _flags(app)
    assert flag.status == "new" and HITS in flag.said


def test_a_form_refused_after_the_keying_deadline_is_flagged_once_and_the_keyer_told(
    app, round_id, logged_in_as
):
    _double_entry(app, round_id)
    with app.app_context():
        paper.update_settings(
            db.session.get(SurveyRound, round_id),
            entry_deadline=today() - timedelta(days=1),
            double_entry=True,
        )
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/key"
    for _ in range(2):  # keyed again: the same words are one flag
        refused = client.post(url, data={"channel": "paper", "serial": "7", **form(Q7=DISCLOSURE)})
        assert refused.status_code == 400 and "deadline" in refused.text
        assert "Give the paper form to the safeguarding lead today" in refused.text
    [flag] = _flags(app)
    assert flag.origin == "refused" and DISCLOSURE in flag.said and flag.answer_id is None
    assert len(mail.outbox) == 1


def test_a_form_with_an_answer_to_put_right_tells_the_keyer_to_hand_it_over(
    app, round_id, logged_in_as
):
    """Flagged when it is saved, once put right; the keyer, holding the paper, is told now."""
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/key"
    data = {"channel": "paper", "serial": "7", **form(Q7=DISCLOSURE, Q1="not a date")}
    refused = client.post(url, data=data)
    assert refused.status_code == 400
    assert "Give the paper form to the safeguarding lead today" in refused.text
    ordinary = client.post(url, data={"channel": "paper", "serial": "7", **form(Q1="x")})
    assert ordinary.status_code == 400
    assert "Give the paper form to the safeguarding lead today" not in ordinary.text


# From a second adversarial review.


def test_a_typo_in_a_harmless_answer_does_not_reopen_the_leads_closed_flag(app, round_id):
    """The flag keeps only the answers that matched, so only new risky words reopen it."""
    first, second, _ = _double_entry(app, round_id)
    _key(app, round_id, "9", form(Q7=DISCLOSURE), first)
    _note(app, status="no_concern")
    result = _key(app, round_id, "9", form(Q7=DISCLOSURE, Q4_1="Having my own spce"), second)
    assert result.status == FormStatus.MISMATCH
    [flag] = _flags(app)
    assert flag.status == "no_concern" and len(mail.outbox) == 1
    assert "Having my own" not in flag.said  # nothing of the form's other answers


def test_two_late_paper_forms_with_the_same_words_are_two_flags(app, round_id):
    """Another young person's form with the same words is not swallowed by the first one's
    closed flag: a refused form's flag is one per serial."""
    first, second, _ = _double_entry(app, round_id)
    with app.app_context():
        paper.update_settings(
            db.session.get(SurveyRound, round_id),
            entry_deadline=today() - timedelta(days=1),
            double_entry=True,
        )
    for serial, user in (("7", first), ("8", second)):
        with pytest.raises(paper.KeyingError):
            _key(app, round_id, serial, form(Q7=DISCLOSURE), user)
        if serial == "7":
            _note(app, status="action_taken")
    flags = _flags(app)
    assert [f.status for f in flags] == ["action_taken", "new"] and len(mail.outbox) == 2
    assert "Serial 8" in flags[1].said
