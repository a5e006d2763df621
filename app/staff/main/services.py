"""What the staff start page offers."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from app.staff.auth.access import role_may_use
from app.staff.auth.models import Role


@dataclass(frozen=True)
class StaffLink:
    endpoint: str
    title: str
    description: str


# Each area adds its start pages here. A role sees only the links its access rules allow,
# so the start page can never offer a page that would answer 403.
STAFF_LINKS: list[StaffLink] = [
    StaffLink(
        "rounds.rounds_list",
        "Survey rounds",
        "Set up and open a round, follow responses, print the poster, download the answers",
    ),
    StaffLink(
        "paper.index",
        "Paper and data entry",
        "Key in paper forms and interviews, settle double-entry differences, print numbered "
        "forms, import answers collected elsewhere",
    ),
    StaffLink(
        "questionnaires.versions",
        "Questionnaires",
        "Copy a questionnaire to a new draft and change its wording, answers and questions",
    ),
    StaffLink(
        "themes.index",
        "Themes",
        "Code what care leavers wrote into themes, check agreement, approve quotes, see results",
    ),
    StaffLink(
        "forum.index",
        "Care leavers' forum",
        "Members, meetings, the register and vouchers; add what young people said",
    ),
    StaffLink(
        "forum.tracker",
        "You said, we did: actions",
        "Actions with owners, dates and ratings; overdue; what changed since the last board",
    ),
    StaffLink(
        "board.dashboard",
        "Board dashboard",
        "What care leavers told us, how many answered, and what is being done, for the "
        "corporate parenting board; board packs and board meetings",
    ),
    StaffLink(
        "safeguarding.flags",
        "Safeguarding flags",
        "Survey answers that may show a young person at risk, for you to review",
    ),
    StaffLink(
        "safeguarding.rules",
        "Safeguarding screening list",
        "The words and patterns every free-text answer is checked against",
    ),
    StaffLink(
        "contacts.index",
        "Contacts",
        "Care leavers' contact details, imports from case-management files, and erasure",
    ),
    StaffLink(
        "sms.outbox",
        "Text messages",
        "Texts sent and queued, what they cost, and questions too long for one text",
    ),
    StaffLink(
        "sms.phone_simulator",
        "Phone simulator",
        "Try the text message survey from a pretend phone, for testing and training",
    ),
    StaffLink("auth.users", "Staff accounts", "Create accounts, change roles, reset passwords"),
    StaffLink("audit.audit_log", "Audit log", "Who did what, and when"),
    StaffLink(
        "authority.settings",
        "Settings",
        "Authority name, branding, help numbers, privacy notice and other public pages",
    ),
    StaffLink("auth.change_password", "Change your password", "Choose a new password"),
]


def staff_links(role: Role, *, uses_oidc: bool = False) -> list[dict[str, str]]:
    """The home page's links for a role; no password link for someone who signs in with the
    council's account (their password is changed with the council, not here)."""
    links = []
    for link in STAFF_LINKS:
        if uses_oidc and link.endpoint == "auth.change_password":
            continue
        if role_may_use(role, link.endpoint):
            links.append(
                {
                    "url": url_for(link.endpoint),
                    "title": link.title,
                    "description": link.description,
                }
            )
    return links
