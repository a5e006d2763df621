"""Redaction: phone numbers, emails, postcodes, addresses and known names are proposed."""

from __future__ import annotations

import pytest

from app.staff.auth.models import Role
from surveys.themes import redaction
from tests.conftest import make_staff

STAFF = redaction.name_parts(["Priya Patel", "Sam Okafor", "Cllr Jo Brown"])


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("ring me on 07700 900123 if you want", "ring me on [phone number] if you want", "phone"),
        ("my number is 07700900123", "my number is [phone number]", "phone"),
        ("call +44 7700 900 123 anytime", "call [phone number] anytime", "phone"),
        ("the office is 0300 123 4567", "the office is [phone number]", "phone"),
        ("email me at jay.smith99@example.com pls", "email me at [email] pls", "email"),
        ("I live at 12 Acacia Road, NB1 2CD", "I live at [address], [postcode]", "address"),
        ("Priya helped me loads", "[name] helped me loads", "name"),
        ("sam okafor came round", "[name] came round", "name"),
        ("My PA Sarah is always there", "My PA [name] is always there", "name"),
        (
            "my social worker Dave Smith never gave up",
            "my social worker [name] never gave up",
            "name",
        ),
    ],
)
def test_identifying_details_are_proposed_for_redaction(text, expected, kind):
    proposal = redaction.propose(text, STAFF)
    assert proposal.redacted == expected
    assert kind in proposal.kinds


@pytest.mark.parametrize(
    "text",
    [
        "my pa keeps changing",
        "Being treated like an adult",
        "I will hope for the best",  # Will and Hope are names, but not written as names here
        "Getting my own flat in 2024",
        "😀😀😀",
    ],
)
def test_ordinary_text_is_left_alone(text):
    names = redaction.name_parts(["Will Hope"])
    assert redaction.propose(text, names).redacted == text


def test_contact_names_can_be_passed_in_later():
    proposal = redaction.propose(
        "Thanks to Jordan for the lift", redaction.name_parts(["Jordan Lee"])
    )
    assert proposal.redacted == "Thanks to [name] for the lift"


def test_staff_names_come_from_the_staff_list(app):
    make_staff(app, Role.PARTICIPATION_WORKER, "k@example.org", name="Keisha Marlowe")
    with app.app_context():
        from surveys.themes.services import propose_redaction

        assert (
            propose_redaction("Keisha sorted my bus pass").redacted == "[name] sorted my bus pass"
        )
