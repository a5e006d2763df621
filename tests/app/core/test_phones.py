"""The one phone rule: what care leavers type in, what we can text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import phones
from app.staff.auth.models import Role


@pytest.mark.parametrize(
    "typed",
    ["07700 900123", "07700900123", "+44 7700 900123", "0044 7700 900 123", " (07700) 900-123 "],
)
def test_the_ways_people_write_a_uk_mobile_all_give_one_number(typed):
    assert phones.normalise_mobile(typed) == "+447700900123"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("no phone", "has words in it"),
        ("0161 496 0000", "not a mobile number"),
        ("0770 090 012 345 678", "too few or too many digits"),
        ("", "not a phone number"),
    ],
)
def test_a_number_we_cannot_text_says_what_is_wrong(typed, says):
    with pytest.raises(phones.NumberInvalid, match=says):
        phones.normalise_mobile(typed)


@given(st.text(max_size=60))
def test_any_text_either_gives_an_e164_mobile_or_a_plain_error(text):
    try:
        number = phones.normalise_mobile(text)
    except phones.NumberInvalid as exc:
        assert str(exc)
    else:
        assert number.startswith("+") and number[1:].isdigit()
        assert phones.normalise_mobile(number) == number  # normalising twice changes nothing


def test_a_forum_member_with_a_landline_is_asked_for_a_mobile(logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    page = client.post(
        "/staff/forum/members/new",
        data={
            "name": "Alex Fictional",
            "phone": "0161 496 0000",
            "contact_preference": "sms",
            "date_of_birth": ["", "", ""],
            "joined_on": ["1", "6", "2026"],
            "left_on": ["", "", ""],
        },
    )
    assert page.status_code in (200, 400)
    assert "Enter a mobile number, like 07700 900123" in page.get_data(as_text=True)
