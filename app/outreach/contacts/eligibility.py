"""Who may be invited to a round: the one eligibility rule.

A care leaver is eligible for a round when, on the round's opening date, they are 16 to 25
years old, have agreed to be contacted about surveys ("consent"), and are neither marked "do not
contact" nor opted out. Importing (a warning on the row), choosing who to invite, sending
reminders and the response rate's denominator (``eligible_on_list``, counted once when a round
opens: surveys/response_rate.py) all call ``why_not_eligible``: change the rule here
and every one of them changes with it.

A contact with no date of birth is not eligible: we cannot tell that they are 16 to 25.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.extensions import db
from app.outreach.contacts.models import Contact
from surveys.models import SurveyRound

MIN_AGE, MAX_AGE = 16, 25


def age_on(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def reference_date(survey_round: SurveyRound) -> date:
    """Ages are taken on the day the round opens, so a birthday mid-round changes nothing."""
    return survey_round.opens_on


def why_not_eligible(contact: Contact, on: date) -> str | None:
    """None if the contact may be invited to a round whose reference date is ``on``; else why."""
    if contact.do_not_contact:
        return "marked do not contact"
    if contact.opted_out:
        return "opted out of surveys"
    if not contact.consent:
        return "has not agreed to be contacted"
    age = age_on(contact.date_of_birth, on)
    if age is None:
        return "no date of birth, so we cannot tell they are 16 to 25"
    if not MIN_AGE <= age <= MAX_AGE:
        return f"{age} on {on:%d/%m/%Y}: the survey is for care leavers aged 16 to 25"
    return None


def is_eligible(contact: Contact, on: date) -> bool:
    return why_not_eligible(contact, on) is None


def eligible_on_list(survey_round: SurveyRound) -> int:
    """Care leavers on the contact list now who are eligible for the round: asked once, when the
    round opens, and recorded on it as the response rate's denominator."""
    on = reference_date(survey_round)
    return sum(1 for c in db.session.scalars(sa.select(Contact)) if is_eligible(c, on))
