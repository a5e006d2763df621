"""Fictional forum demo: Northbridge's care leavers' forum. Every name here is invented.

Eight members (one turning 25 soon, one who has left, one from the survey's forum-interest
records), a year of monthly meetings with attendance and vouchers, ten plan milestones, items
from this year's survey themes, from forum meetings, from the board and from a complaint, and
actions at every status (not started, in progress, due soon, overdue, done, done late, won't do),
some published on the public page. Dates are relative to today, so the demo always has something
overdue and something due soon. Idempotent: if any forum member exists, nothing is added.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from app.core import clock
from app.core.extensions import db
from app.staff.auth.models import StaffUser
from forum.models import (
    Action,
    ActionUpdate,
    Attendance,
    ForumCheck,
    ForumMeeting,
    ForumMember,
    Milestone,
    YouSaid,
)
from surveys.models import ContactRequest
from surveys.rounds.demo import CURRENT_SLUG
from surveys.services import round_by_slug
from surveys.themes.models import Codebook, Quote

# Fictional people: (name, preferred name, roles, years old, months in the forum, left)
MEMBERS = [
    ("Kai Demo-Fictional", "Kai", ["member", "chair"], 21, 30, False),
    ("Leah Demo-Fictional", "", ["member", "peer_researcher"], 19, 14, False),
    ("Marcus Demo-Fictional", "Marc", ["member"], 24, 40, False),  # turns 25 soon
    ("Nadia Demo-Fictional", "", ["member", "young_inspector"], 20, 12, False),
    ("Owen Demo-Fictional", "", ["member"], 18, 6, False),
    ("Priya Demo-Fictional", "", ["member"], 22, 18, False),
    ("Reece Demo-Fictional", "", ["member"], 23, 24, True),  # moved on
    ("Sian Demo-Fictional", "Si", ["member", "peer_researcher"], 17, 3, False),
]

MILESTONES = [
    "Every care leaver has a named PA who answers within two working days",
    "Money skills before moving on",
    "Council tax exemption to 25",
    "Evening and weekend support",
    "Safe and settled first homes",
    "Starter packs for new homes",
    "Less loneliness: groups and activities",
    "Help into work and training",
    "Health: GP, dentist and mental health support",
    "The forum is heard by the corporate parenting board",
]

# (theme key, what young people said, [(action, team, milestone index, status, due in days,
#   done days ago or None, won't do reason)], publish)
# An action: what, team, milestone, status, due in (days), done (days ago), reason.
ActionSeed = tuple[str, str, int, str, int, int | None, str]
THEME_ITEMS: list[tuple[str, str, list[ActionSeed], bool]] = [
    (
        "money_bills",
        "Bills are scary when you first move out. Help us understand them before we go.",
        [
            (
                "Bills workshop in every Staying Close group",
                "Leaving care team",
                1,
                "done",
                -40,
                45,
                "",
            ),
            (
                "Explain council tax exemption in the welcome pack",
                "Leaving care team",
                2,
                "done",
                -20,
                10,
                "",
            ),
        ],
        True,
    ),
    (
        "loneliness",
        "Evenings and weekends are lonely. We want somewhere to go.",
        [
            (
                "Open the drop-in on Thursday evenings",
                "Participation team",
                6,
                "in_progress",
                45,
                None,
                "",
            ),
            ("Monthly weekend trips", "Participation team", 6, "not_started", 10, None, ""),
        ],
        True,
    ),
    (
        "support_changes",
        "Our PA keeps changing. Let us meet the new one before the old one leaves.",
        [
            (
                "Handover meeting with old and new PA for every change",
                "Leaving care team",
                0,
                "in_progress",
                -14,
                None,
                "",
            ),
        ],
        False,
    ),
    (
        "housing_waiting",
        "We wait too long for a flat and do not know what is happening.",
        [
            (
                "Monthly letter on where you are on the housing list",
                "Housing options",
                4,
                "wont_do",
                30,
                None,
                "The housing system cannot send these letters yet. "
                "Your PA will tell you each month instead.",
            ),
        ],
        True,
    ),
]

# (meeting index, what was said, action, team, milestone, status, due in days, publish)
FORUM_ITEMS = [
    (
        2,
        "Starter packs should have pans and a kettle.",
        "Add pans and a kettle to every starter pack",
        "Leaving care team",
        5,
        "done",
        -60,
        True,
    ),
    (
        6,
        "We want free bus passes until 25.",
        "Ask the transport authority for free travel to 25",
        "Corporate parenting board",
        9,
        "in_progress",
        90,
        True,
    ),
    (
        9,
        "We want to see the board's answers, not just give our views.",
        "Forum chair presents at every board meeting",
        "Corporate parenting board",
        9,
        "not_started",
        60,
        False,
    ),
]


def _staff(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def seed_forum_demo() -> None:
    if db.session.scalar(sa.select(sa.func.count(ForumMember.id))):
        return
    rng = random.Random(2026)
    today = clock.today()
    worker = _staff("worker@northbridge.example")
    admin = _staff("admin@northbridge.example")
    owners = [u for u in (worker, admin) if u is not None]

    members: list[ForumMember] = []
    for name, preferred, roles, age, months, left in MEMBERS:
        born = today - timedelta(days=age * 365 + rng.randint(20, 300))
        if name.startswith("Marcus"):
            born = today.replace(year=today.year - 25) + timedelta(days=60)
        joined = today - timedelta(days=months * 30)
        members.append(
            ForumMember(
                name=name,
                preferred_name=preferred,
                phone=f"07700 900{len(members) + 200:03d}",
                email=f"{name.split()[0].lower()}@example.org",
                contact_preference="sms",
                date_of_birth=born,
                roles=roles,
                joined_on=joined,
                left_on=today - timedelta(days=60) if left else None,
                consent_contact=True,
                consent_contact_on=joined,
                consent_photos=rng.random() < 0.6,
                consent_quotes=rng.random() < 0.8,
            )
        )
    members[4].consent_contact, members[4].consent_contact_on = False, None
    db.session.add_all(members)

    meetings = []
    for n in range(12):
        held = today - timedelta(days=30 * (12 - n) - 3)
        meeting = ForumMeeting(
            held_on=held,
            place="Online (video call)" if n % 4 == 3 else "Northbridge Youth Centre, Room 2",
            online=n % 4 == 3,
            agenda="Welcome; what the board said; survey results; your ideas",
            notes="Fictional demo notes. Good turnout; pizza.",
        )
        db.session.add(meeting)
        for member in members:
            was_member = member.joined_on <= held and (
                member.left_on is None or member.left_on >= held
            )
            if was_member and rng.random() < 0.7:
                meeting.attendance.append(
                    Attendance(member=member, payment_pence=1000, payment_type="voucher")
                )
        meetings.append(meeting)

    milestones = []
    for position, title in enumerate(MILESTONES, start=1):
        milestones.append(
            Milestone(
                title=title,
                position=position,
                due_on=today + timedelta(days=90 * (1 + position % 4)),
            )
        )
    db.session.add_all(milestones)
    db.session.flush()

    def add_action(item, what, team, milestone, status, due_days, done_days, reason, n):
        due = today + timedelta(days=due_days)
        action = Action(
            item=item,
            what=what,
            owner=owners[n % len(owners)] if owners else None,
            owner_team=team,
            due_on=due,
            status=status,
            wont_do_reason=reason,
            milestone=milestones[milestone],
            created_on=min(today - timedelta(days=100), due),
            completed_on=(today - timedelta(days=done_days)) if status == "done" else None,
        )
        db.session.add(action)
        action.updates.append(
            ActionUpdate(
                text="Agreed with the forum",
                status="not_started",
                by=worker,
                noted_on=action.created_on,
            )
        )
        if status != "not_started":
            action.updates.append(
                ActionUpdate(
                    text="Work started",
                    status="in_progress",
                    by=worker,
                    noted_on=today - timedelta(days=50),
                )
            )
        if status in ("done", "wont_do"):
            action.updates.append(
                ActionUpdate(
                    text="Done" if status == "done" else f"Won't do: {reason}",
                    status=status,
                    by=worker,
                    noted_on=action.completed_on or today - timedelta(days=5),
                )
            )
        return action

    survey_round = round_by_slug(CURRENT_SLUG)
    codebook = (
        db.session.scalar(sa.select(Codebook).where(Codebook.round_id == survey_round.id))
        if survey_round
        else None
    )
    themes = {t.key: t for t in codebook.themes} if codebook else {}
    n = 0
    for key, said, actions, publish in THEME_ITEMS:
        theme = themes.get(key)
        quote = (
            db.session.scalar(
                sa.select(Quote).where(Quote.theme_id == theme.id, Quote.audience == "public")
            )
            if theme
            else None
        )
        item = YouSaid(
            text=said,
            topic=theme.name if theme else key.replace("_", " ").capitalize(),
            source="theme" if theme else "other",
            theme=theme,
            quote=quote,
            raised_on=today - timedelta(days=120),
            published_on=today - timedelta(days=90) if publish else None,
            published_by_id=worker.id if publish and worker else None,
        )
        db.session.add(item)
        for what, team, milestone, status, due_days, done_days, reason in actions:
            action = add_action(item, what, team, milestone, status, due_days, done_days, reason, n)
            n += 1
            if status == "done" and done_days and done_days > 20:
                for member in members[:3]:
                    action.checks.append(
                        ForumCheck(member=member, checked_on=today - timedelta(days=5))
                    )

    for index, said, what, team, milestone, status, due_days, publish in FORUM_ITEMS:
        meeting = meetings[index]
        item = YouSaid(
            text=said,
            topic="Getting around"
            if "bus" in said
            else "Having a say"
            if "board" in said
            else "Your first home",
            source="forum",
            meeting=meeting,
            raised_on=meeting.held_on,
            published_on=today - timedelta(days=30) if publish else None,
            published_by_id=worker.id if publish and worker else None,
        )
        db.session.add(item)
        add_action(
            item, what, team, milestone, status, due_days, 30 if status == "done" else None, "", n
        )
        n += 1

    complaint = YouSaid(
        text="I was not told my PA had left until I rang the office.",
        topic="Support from your PA",
        source="complaint",
        raised_on=today - timedelta(days=20),
    )
    db.session.add(complaint)

    if survey_round is not None:
        db.session.add_all(
            [
                ContactRequest(
                    round_id=survey_round.id,
                    kind="forum",
                    name="Tyler Demo-Fictional",
                    phone="07700 900301",
                    consent=True,
                ),
                ContactRequest(
                    round_id=survey_round.id,
                    kind="updates",
                    name="Uma Demo-Fictional",
                    phone="07700 900302",
                    consent=True,
                ),
            ]
        )
    db.session.commit()
