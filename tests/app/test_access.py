"""The role walk-through: every route declares who may use it, and no role reaches more.

The walk builds a URL for every rule in the app (whatever later issues add), requests it as
nobody and as each role, and checks the answer against the route's own declaration. The table
below pins the declarations of sensitive pages, so loosening one fails here.
"""

from __future__ import annotations

import re

import pytest

from app.staff.auth.access import PUBLIC, allowed_roles
from app.staff.auth.models import Role
from tests.conftest import make_staff, sign_in

ADMIN_ONLY = {Role.ADMIN}
WORKERS = {Role.ADMIN, Role.PARTICIPATION_WORKER}

# Pages whose audience is a policy decision: changing one must be deliberate.
EXPECTED: dict[str, set[Role] | str] = {
    "auth.users": ADMIN_ONLY,
    "auth.new_user": ADMIN_ONLY,
    "auth.edit_user": ADMIN_ONLY,
    "auth.reset_user_password": ADMIN_ONLY,
    "audit.audit_log": ADMIN_ONLY,
    "authority.settings": ADMIN_ONLY,
    "authority.upload_logo": ADMIN_ONLY,
    "authority.edit_page": ADMIN_ONLY,
    "main.staff_home": set(Role),
    # Only the safeguarding lead sees flags (ARCHITECTURE.md); admins keep the screening list.
    "safeguarding.flags": {Role.SAFEGUARDING_LEAD},
    "safeguarding.flag": {Role.SAFEGUARDING_LEAD},
    "safeguarding.rules": ADMIN_ONLY,
    "safeguarding.edit_rule": ADMIN_ONLY,
    # Themes: peer researchers reach only the coding queue and the codebook (read-only);
    # the board reads results; only a participation worker approves quotes.
    "themes.index": {*WORKERS, Role.PEER_RESEARCHER},
    "themes.codebook": {*WORKERS, Role.PEER_RESEARCHER},
    "themes.code_next": {*WORKERS, Role.PEER_RESEARCHER},
    "themes.code_unit": {*WORKERS, Role.PEER_RESEARCHER},
    "themes.start_codebook": WORKERS,
    "themes.new_theme": WORKERS,
    "themes.edit_theme": WORKERS,
    "themes.delete_theme": WORKERS,
    "themes.double_coding": WORKERS,
    "themes.agreement": WORKERS,
    "themes.quotes": WORKERS,
    "themes.quote": {Role.PARTICIPATION_WORKER},
    "themes.withdraw_quote": {Role.PARTICIPATION_WORKER},
    "themes.results_page": WORKERS,
    "themes.chart": WORKERS,
    "themes.export": WORKERS,
    # The board reads (dashboard, charts, packs, meetings); staff prepare packs and record
    # meetings; only admins enter reference figures.
    "board.dashboard": {*WORKERS, Role.BOARD_MEMBER},
    "board.chart": {*WORKERS, Role.BOARD_MEMBER},
    "board.packs": {*WORKERS, Role.BOARD_MEMBER},
    "board.pack_status": {*WORKERS, Role.BOARD_MEMBER},
    # Issue 23: the one thing a board member may ask for is the pack for their meeting.
    "board_loop.request_pack": {*WORKERS, Role.BOARD_MEMBER},
    "board_loop.edit_front_page": WORKERS,
    "board.pack_file": {*WORKERS, Role.BOARD_MEMBER},
    "board.meetings": {*WORKERS, Role.BOARD_MEMBER},
    "board.meeting": {*WORKERS, Role.BOARD_MEMBER},
    "board.request_pack": WORKERS,
    "board.new_meeting": WORKERS,
    "board.edit_meeting": WORKERS,
    "board.add_request": WORKERS,
    "board.reference_figures": ADMIN_ONLY,
    "board.delete_reference": ADMIN_ONLY,
    # Forum and "you said, we did": members' personal data and every change for workers; the
    # board reads the tracker, the overdue list and "since the last board meeting" only.
    "forum.index": WORKERS,
    "forum.new_member": WORKERS,
    "forum.member": WORKERS,
    "forum.erase_member": WORKERS,
    "forum.add_from_interest": WORKERS,
    "forum.payments": WORKERS,
    "forum.new_meeting": WORKERS,
    "forum.meeting": WORKERS,
    "forum.attendance": WORKERS,
    "forum.items": WORKERS,
    "forum.new_item": WORKERS,
    "forum.item": WORKERS,
    "forum.publish": WORKERS,
    "forum.unpublish": WORKERS,
    "forum.new_action": WORKERS,
    "forum.action": WORKERS,
    "forum.action_status": WORKERS,
    "forum.action_progress": WORKERS,
    "forum.action_rating": WORKERS,
    "forum.forum_check": WORKERS,
    "forum.milestones": WORKERS,
    "forum.send_update": WORKERS,
    "forum.tracker": {*WORKERS, Role.BOARD_MEMBER},
    "forum.overdue": {*WORKERS, Role.BOARD_MEMBER},
    "board.since": {*WORKERS, Role.BOARD_MEMBER},
    "ysyd.page": PUBLIC,
    "ysyd.poster": PUBLIC,
    # Contacts are personal data: participation workers and admins only (issue 7).
    "contacts.index": WORKERS,
    "contacts.contact": WORKERS,
    "contacts.new_contact": WORKERS,
    "contacts.edit_contact": WORKERS,
    "contacts.erase": WORKERS,
    "contacts.upload": WORKERS,
    "contacts.mapping": WORKERS,
    "contacts.preview": WORKERS,
    "invitations.index": WORKERS,
    "invitations.new": WORKERS,
    "invitations.remind": WORKERS,
    "invitations.letters_pdf": WORKERS,
    "invitations.start_letter_run": WORKERS,
    "invitations.letter_run": WORKERS,
    "invitations.letter_run_pdf": WORKERS,
    "invitations.response_rate": WORKERS,
    "invitations.personal_link": PUBLIC,
    "main.healthz": PUBLIC,
    "authority.public_page": PUBLIC,
    "auth.sign_in": PUBLIC,
}

SAMPLE_VALUES = {
    "int": "1",
    "path": "x",
    "string": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


PLACEHOLDER = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-z_]+)>")


def _sample_url(rule) -> str:
    """A URL for the rule, with a plausible value for each variable part."""

    def value(match: re.Match) -> str:
        if match["converter"] == "any":
            return match["args"].split(",")[0].strip()
        return SAMPLE_VALUES.get(match["converter"] or "string", "x")

    return PLACEHOLDER.sub(value, rule.rule)


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def signed_by_twilio(app, rule) -> bool:
    """Webhooks that answer 403 to anything Twilio did not sign (app/messaging/webhook.py)."""
    return getattr(app.view_functions[rule.endpoint], "provider_signed", False)


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_route_declares_who_may_use_it(app):
    with app.test_request_context():
        undeclared = [r.endpoint for r in _rules(app) if allowed_roles(r.endpoint) is None]
    assert undeclared == []


def test_sensitive_routes_keep_their_declared_audience(app):
    with app.test_request_context():
        for endpoint, expected in EXPECTED.items():
            declared = allowed_roles(endpoint)
            assert declared == (expected if expected == PUBLIC else frozenset(expected)), endpoint


def test_nobody_signed_in_reaches_only_public_routes(app, client):
    with app.test_request_context():
        for rule in _rules(app):
            response = client.open(_sample_url(rule), method=_method(rule))
            if signed_by_twilio(app, rule):
                assert response.status_code == 403, rule.rule
            elif allowed_roles(rule.endpoint) == PUBLIC:
                assert response.status_code not in (401, 403), rule.rule
            elif _method(rule) == "GET":
                assert response.status_code == 302, rule.rule
                assert "/sign-in" in response.headers["Location"], rule.rule
            else:
                assert response.status_code == 401, rule.rule


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_exactly_what_its_routes_allow(app, role):
    # Someone else owns id 1, so walking "/admin/users/1/..." never resets the walker's own
    # password (which would sign them out and make the rest of the walk meaningless).
    make_staff(app, Role.BOARD_MEMBER, "someone.else@example.org")
    make_staff(app, role, f"{role.value}@example.org")
    client = app.test_client()
    assert sign_in(client, f"{role.value}@example.org").status_code == 302
    with app.test_request_context():
        for rule in _rules(app):
            if rule.endpoint == "auth.sign_out":
                continue  # walked last, it would end the session
            declared = allowed_roles(rule.endpoint)
            response = client.open(_sample_url(rule), method=_method(rule))
            assert "/sign-in" not in response.headers.get("Location", ""), "signed out mid-walk"
            if signed_by_twilio(app, rule):
                assert response.status_code == 403, f"unsigned {rule.rule} answered"
            elif declared == PUBLIC or role in declared:
                assert response.status_code != 403, f"{role} refused {rule.rule}"
                assert response.status_code < 500, f"{role} broke {rule.rule}"
            else:
                assert response.status_code == 403, f"{role} reached {rule.rule}"
                assert "You cannot see this page" in response.text
