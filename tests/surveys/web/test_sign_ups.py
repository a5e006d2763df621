"""Sign-ups on the thank-you page wait sealed and reach staff in batches (surveys/web/sign_ups)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging import mail
from app.staff.auth.models import Role
from app.staff.authority.services import get_settings
from surveys.models import ContactRequest, PendingSignUp, SurveyRound
from surveys.safeguarding.models import SafeguardingFlag
from surveys.services import close_round
from surveys.web.sign_ups import apply_sign_ups
from tests.surveys.web.test_web_survey import BASE, answer_all


def _sign_up(client, name: str, kind: str = "forum") -> None:
    done = client.post(
        f"{BASE}/keep-in-touch/{kind}",
        data={
            f"{kind}-name": name,
            f"{kind}-email": f"{name.lower()}@example.org",
            f"{kind}-consent": "y",
        },
    )
    assert done.status_code == 200 and "We have your details" in done.text


def _answered(app):
    browser = app.test_client()
    answer_all(browser)
    browser.post(f"{BASE}/check")
    return browser


def test_sign_ups_wait_sealed_then_reach_staff_in_a_batch_of_five(app, round_id, logged_in_as):
    browser = _answered(app)
    for name in ("Ash", "Bo", "Cal", "Dee"):
        _sign_up(browser, name)
    with app.app_context():
        boxes = list(db.session.scalars(sa.select(PendingSignUp.sealed)))
        assert len(boxes) == 4 and len({len(b) for b in boxes}) == 1, "padded to one length"
        # Whole addresses: a 3-letter name turns up in ~2% of random 4 KB boxes by chance.
        emails = [f"{n.lower()}@example.org" for n in ("Ash", "Bo", "Cal", "Dee")]
        assert not any(e in b for b in boxes for e in emails), "sealed, not readable"
        assert apply_sign_ups() == 0, "a batch of 4 is too small"
    staff = logged_in_as(Role.PARTICIPATION_WORKER)
    page = staff.get("/staff/forum").text
    assert "Nobody is waiting to be added" in page and "appear in batches" in page
    _sign_up(browser, "Eli")
    with app.app_context():
        assert apply_sign_ups() == 5  # the daily job
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingSignUp)) == 0
    page = staff.get("/staff/forum").text
    assert all(name in page for name in ("Ash", "Bo", "Cal", "Dee", "Eli"))


def test_a_closed_round_lets_the_last_few_through(app, round_id):
    browser = _answered(app)
    _sign_up(browser, "Fin", kind="updates")
    _sign_up(browser, "Gus")
    with app.app_context():
        assert apply_sign_ups() == 0
        close_round(db.session.get(SurveyRound, round_id))
        db.session.commit()
        assert apply_sign_ups() == 2
        kinds = dict(db.session.execute(sa.select(ContactRequest.name, ContactRequest.kind)).all())
    assert kinds == {"Fin": "updates", "Gus": "forum"}


def test_staff_can_apply_a_small_batch_from_the_command_line(app, round_id, runner):
    _sign_up(_answered(app), "Hal")
    result = runner.invoke(args=["sign-ups", "apply"])
    assert "Sign-ups added: 0. Still waiting for a batch: 1." in result.output
    result = runner.invoke(args=["sign-ups", "apply", "--all"])
    assert "Sign-ups added: 1. Still waiting for a batch: 0." in result.output


# A risk typed where a name goes: the attack was that nothing on this form was screened.
NAME_DISCLOSURE = "help me he hits me when he is drunk"


def _sign_up_as(client, name: str, email: str = "someone@example.org"):
    return client.post(
        f"{BASE}/keep-in-touch/forum",
        data={"forum-name": name, "forum-email": email, "forum-consent": "y"},
    )


def _flags(app) -> list[SafeguardingFlag]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SafeguardingFlag)))


def test_a_risk_typed_as_a_name_shows_help_at_once_and_reaches_the_lead_with_its_batch(
    app, round_id
):
    browser = _answered(app)
    done = _sign_up_as(browser, NAME_DISCLOSURE)
    assert done.status_code == 200 and "We have your details" in done.text
    assert "116 123" in done.text and "If you need help now" in done.text
    # Not flagged in this request: the flag holds the words that are also the sign-up's name,
    # and raised now it would sit straight after this person's response.
    assert _flags(app) == []
    with app.app_context():
        assert apply_sign_ups(everything=True) == 1
    [flag] = _flags(app)
    assert (flag.origin, flag.answer_id, flag.round_id) == ("signup", None, round_id)
    assert NAME_DISCLOSURE in flag.said


def test_a_risk_typed_as_a_name_on_a_form_refused_shows_help_and_reaches_the_lead(app, round_id):
    browser = _answered(app)
    refused = _sign_up_as(browser, NAME_DISCLOSURE, email="not an email")
    assert refused.status_code == 400 and "116 123" in refused.text
    assert _flags(app) == []  # with the batch, as a sign-up's would be
    with app.app_context():
        assert apply_sign_ups(everything=True) == 0  # no sign-up is written for it
        assert db.session.scalar(sa.select(sa.func.count(ContactRequest.id))) == 0
    [flag] = _flags(app)
    assert flag.origin == "signup" and NAME_DISCLOSURE in flag.said


def test_one_name_on_both_forms_is_one_flag(app, round_id):
    browser = _answered(app)
    for kind in ("forum", "updates"):
        browser.post(
            f"{BASE}/keep-in-touch/{kind}",
            data={
                f"{kind}-name": NAME_DISCLOSURE,
                f"{kind}-email": "someone@example.org",
                f"{kind}-consent": "y",
            },
        )
    with app.app_context():
        assert apply_sign_ups(everything=True) == 2
    assert len(_flags(app)) == 1


def test_an_ordinary_name_shows_no_help_and_raises_no_flag(app, round_id):
    browser = _answered(app)
    done = _sign_up_as(browser, "Killian Hitchens")
    assert "We have your details" in done.text and "116 123" not in done.text
    with app.app_context():
        assert apply_sign_ups(everything=True) == 1
    assert _flags(app) == []


def test_two_people_typing_the_same_risky_name_in_two_batches_reach_the_lead_twice(app, round_id):
    with app.app_context():
        get_settings().safeguarding_lead_email = "lead@council.example"
        db.session.commit()
    mail.outbox.clear()
    _sign_up_as(_answered(app), NAME_DISCLOSURE)  # one young person
    with app.app_context():
        apply_sign_ups(everything=True)
        for flag in db.session.scalars(sa.select(SafeguardingFlag)):
            flag.status = "action_taken"  # the lead acts on it
        db.session.commit()
    _sign_up_as(_answered(app), NAME_DISCLOSURE, email="other@example.org")  # someone else
    with app.app_context():
        apply_sign_ups(everything=True)
    assert [f.status for f in _flags(app)] == ["action_taken", "new"]
    assert len(mail.outbox) == 2


def test_refused_tries_do_not_make_up_a_batch(app, round_id):
    """Words-only items (a refused form's risky name) ride with the batch but do not count
    toward its least size: one person's refused tries are no crowd to hide a sign-up in."""
    browser = _answered(app)
    for _ in range(4):
        _sign_up_as(browser, NAME_DISCLOSURE, email="not an email")
    _sign_up(browser, "Ash")
    with app.app_context():
        assert apply_sign_ups() == 0  # one sign-up: it waits
        assert apply_sign_ups(everything=True) == 1
    assert len(_flags(app)) == 1
