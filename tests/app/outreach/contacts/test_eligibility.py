"""One eligibility rule (16 to 25 on the round's opening day, consent, not barred) decides who
is invited, who is reminded and the dashboard's eligible count."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.extensions import db
from app.outreach.contacts import services as contacts
from app.outreach.contacts.eligibility import eligible_on_list
from app.outreach.contacts.models import Contact
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from surveys.models import SurveyRound
from tests.surveys.conftest import make_open_round

OPENS = date(2026, 6, 9)  # the round opens the day before the frozen clock's today


def _person(name: str, born: date, mobile: str, *, consent: bool = True) -> int:
    return contacts.save_contact(
        None,
        {
            "name": name,
            "date_of_birth": born.strftime("%d/%m/%Y"),
            "mobile": mobile,
            "consent": consent,
        },
    ).id


def _everyone(app):
    with app.app_context():
        return {
            "ok": _person("Ok Twenty", date(2006, 1, 1), "07700 900601"),
            "fifteen": _person("Fifteen Today", date(2010, 6, 10), "07700 900602"),
            "sixteen": _person("Sixteen On Opening", date(2010, 6, 9), "07700 900603"),
            "twenty_six": _person("Twenty Six", date(2000, 6, 1), "07700 900604"),
            "no_consent": _person("No Consent", date(2005, 5, 5), "07700 900605", consent=False),
        }


def test_only_eligible_people_are_invited(app):
    round_id = make_open_round(app, opens_on=OPENS)
    people = _everyone(app)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        result = invitations.create_invitations(survey_round, invitations.InviteFilter(), ["sms"])
        invited = set(db.session.scalars(sa.select(Invitation.contact_id)))
    assert result.invited == 2
    assert invited == {people["ok"], people["sixteen"]}, (
        "under 16, over 25, no consent: not invited"
    )


def test_reminders_stop_once_consent_is_withdrawn(app):
    round_id = make_open_round(app, opens_on=OPENS)
    people = _everyone(app)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        invitations.create_invitations(survey_round, invitations.InviteFilter(), ["sms"])
        contact = db.session.get(Contact, people["ok"])
        contact.consent = False
        db.session.commit()
        waiting = invitations._waiting(survey_round)
    assert [c.id for _i, c in waiting] == [people["sixteen"]]


def test_the_dashboard_counts_the_same_people_as_eligible(app):
    round_id = make_open_round(app, opens_on=OPENS)
    _everyone(app)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert eligible_on_list(survey_round) == 2
