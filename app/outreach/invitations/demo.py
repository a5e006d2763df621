"""Fictional demo contacts, invitations and reminders for the open Northbridge round.

Every person here is invented: names are made from lists of common first names and surnames,
addresses are on fictional streets in the fictional Northbridge (NB postcodes do not exist), and
every mobile number is from Ofcom's drama range 07700 900000-900999, which is never given to a
real phone. Emails use example.org. A seeded random generator makes the data the same every
time. Idempotent: if any contact exists, nothing is added.

Invitations go out through the ordinary services (texts into the SMS queue, emails queued,
letters waiting to print); the seed then dates them 10 days back, marks about a quarter as
completed (dates only) and queues the day-7 reminders for the rest.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.core import clock
from app.core.extensions import db
from app.outreach.contacts.models import Contact
from app.outreach.contacts.services import name_key
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from surveys.models import SurveyRound
from surveys.response_rate import record_eligible_at_opening

DEMO_CONTACTS = 300
FIRST = [
    "Aaliyah",
    "Ben",
    "Chloe",
    "Dylan",
    "Ellie",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jayden",
    "Kacey",
    "Leo",
    "Maya",
    "Nathan",
    "Olivia",
    "Preston",
    "Reece",
    "Sophie",
    "Tyler",
    "Zara",
]
LAST = [
    "Ashworth",
    "Bramley",
    "Calder",
    "Denholm",
    "Eskdale",
    "Fenwick",
    "Garside",
    "Holroyd",
    "Ingleby",
    "Jessop",
    "Kettlewell",
    "Lumb",
    "Marsden",
    "Naylor",
    "Ormerod",
]
STREETS = ["Fiction Street", "Makebelieve Road", "Pretend Lane", "Storybook Close", "Invented Way"]
TEAMS = ["Leaving Care North", "Leaving Care South", "16+ Team", "Leaving Care East"]
ADVISERS = ["Ola Adeyemi", "Chris Lamb", "Jess Moran", "Tariq Shah", "Beth Nolan"]
STATUSES = ["relevant", "former_relevant", "former_relevant", "qualifying", "eligible"]


def seed_contacts_demo(on: date | None = None) -> None:
    on = on or clock.today()
    if db.session.scalar(sa.select(Contact.id).limit(1)) is not None:
        return
    rng = random.Random(7)
    for n in range(DEMO_CONTACTS):
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
        born = on - timedelta(days=rng.randint(16 * 365 + 5, 25 * 365 - 5))
        contact = Contact(
            name=name,
            name_key=name_key(name),
            date_of_birth=born,
            mobile=f"+447700900{n:03d}" if rng.random() < 0.85 else None,
            email=f"{name.lower().replace(' ', '.')}{n}@example.org" if rng.random() < 0.6 else "",
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}\nNorthbridge",
            postcode=f"NB{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFHJLNP')}"
            f"{rng.choice('QRSTUWXYZ')}",
            team=TEAMS[n % len(TEAMS)],
            personal_adviser=rng.choice(ADVISERS),
            legal_status=rng.choice(STATUSES),
            in_touch=rng.random() < 0.85,
            preferred_channel=rng.choice(["sms", "sms", "email", "letter", ""]),
            consent=True,
            number_bad=rng.random() < 0.05,
            updated_on=on - timedelta(days=rng.randint(0, 500)),
        )
        if n % 37 == 5:
            contact.do_not_contact = True
            contact.do_not_contact_reason = "Safeguarding: speak to the team manager first"
        elif n % 41 == 9:
            contact.opted_out = True
        db.session.add(contact)
    db.session.commit()
    _invite_open_round(on, rng)


def _invite_open_round(on: date, rng: random.Random) -> None:
    survey_round = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == "nb2026"))
    if survey_round is None or not survey_round.is_open:
        return
    record_eligible_at_opening(survey_round)  # the demo's list is the list at the opening
    invitations.create_invitations(
        survey_round, invitations.InviteFilter(), ["sms", "email", "letter"]
    )
    for invitation in db.session.scalars(
        sa.select(Invitation).where(Invitation.round_id == survey_round.id)
    ):
        invitation.invited_on = on - timedelta(days=10)
        if rng.random() < 0.25:
            invitation.status = "completed"
            rng.randint(
                0, 9
            )  # the completion date it once drew: the rest of the demo stays the same
    db.session.commit()
    invitations.send_due_reminders(on)
