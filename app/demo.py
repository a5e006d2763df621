"""Fictional demo data for `make run` and training: Northbridge City Council.

Every name here is invented. The seed is idempotent: running it again leaves existing records
as they are and adds only what is missing, so `make run` can call it every time. Later areas add
their own demo records through ``seed_demo``.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from app.board.assessments.demo import seed_assessments_demo
from app.board.demo import seed_board_demo
from app.board.loop_demo import seed_loop_demo
from app.board.outcomes.demo import seed_outcomes_demo
from app.board.wellbeing_demo import seed_wellbeing_demo
from app.core.extensions import db
from app.outreach.invitations.demo import seed_contacts_demo
from app.staff.auth.models import Role, StaffUser
from app.staff.auth.services import find_by_email
from app.staff.authority.models import AuthoritySettings
from app.staff.authority.services import fill_default_pages
from forum.demo import seed_forum_demo
from surveys.paper.demo import seed_paper_demo
from surveys.rounds.demo import seed_survey_demo
from surveys.safeguarding.demo import seed_safeguarding_demo
from surveys.themes.demo import seed_themes_demo


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    name: str
    email: str
    password: str


# Demo passwords are printed on purpose: this data is fictional and refused in production.
DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(Role.ADMIN, "Alex Admin", "admin@northbridge.example", "demo-admin-pass"),
    DemoAccount(
        Role.PARTICIPATION_WORKER, "Priya Patel", "worker@northbridge.example", "demo-worker-pass"
    ),
    DemoAccount(Role.DATA_ENTRY, "Dan Evans", "entry@northbridge.example", "demo-entry-pass"),
    DemoAccount(
        Role.SAFEGUARDING_LEAD,
        "Sam Okafor",
        "safeguarding@northbridge.example",
        "demo-safeguard-pass",
    ),
    DemoAccount(Role.BOARD_MEMBER, "Cllr Jo Brown", "board@northbridge.example", "demo-board-pass"),
    DemoAccount(Role.PEER_RESEARCHER, "Riley Peer", "peer@northbridge.example", "demo-peer-pass"),
]


def seed_authority() -> AuthoritySettings:
    settings = db.session.get(AuthoritySettings, 1)
    if settings is None:
        settings = AuthoritySettings(id=1, name="Northbridge City Council")
        db.session.add(settings)
    if settings.name in ("", "Your council"):
        settings.name = "Northbridge City Council"
    settings.service_name = settings.service_name or "Belonging"
    defaults = {
        "brand_colour": "#1d5d7b",
        "duty_phone": "0300 123 4567",
        "duty_hours": "Monday to Friday, 9am to 5pm",
        "contact_email": "leavingcare@northbridge.example",
        "safeguarding_lead_name": "Sam Okafor",
        "safeguarding_lead_email": "safeguarding@northbridge.example",
        "safeguarding_lead_phone": "0300 123 4599",
    }
    for field, value in defaults.items():
        if not getattr(settings, field) or getattr(settings, field) == "#1d70b8":
            setattr(settings, field, value)
    fill_default_pages(settings)
    return settings


def seed_staff() -> None:
    for account in DEMO_ACCOUNTS:
        if find_by_email(account.email):
            continue
        db.session.add(
            StaffUser(
                email=account.email,
                name=account.name,
                role=account.role.value,
                password_hash=generate_password_hash(account.password),
            )
        )


def seed_demo() -> None:
    """Create whatever part of the demo is missing, then commit once."""
    seed_authority()
    seed_staff()
    db.session.commit()
    seed_survey_demo()
    seed_safeguarding_demo()
    seed_paper_demo()

    seed_themes_demo()

    seed_contacts_demo()

    seed_forum_demo()

    seed_outcomes_demo()
    seed_board_demo()
    seed_assessments_demo()
    seed_wellbeing_demo()
    seed_loop_demo()
