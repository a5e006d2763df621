"""The one phone-number rule: UK numbers in, E.164 out (with the phonenumbers library).

- ``normalise_number``: any number a phone could text from, as '+447700900123' (inbound texts,
  the phone simulator, hashing). Short codes and odd senders raise NumberInvalid.
- ``normalise_mobile``: a number we may text a care leaver at: a valid UK (or other) mobile.
  Ofcom's drama range (07700 900000 to 900999) is accepted although phonenumbers calls it
  invalid, so demos and training can use it safely.
Errors say how to fix it, in plain English.
"""

from __future__ import annotations

import re

import phonenumbers

DRAMA_RANGE = re.compile(r"^\+447700900\d{3}$")
REGION = "GB"
EXAMPLE = "07700 900123"


class NumberInvalid(ValueError):
    """Not a phone number we can use; the message says what is wrong."""


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse((raw or "").strip()[:40], REGION)
    except phonenumbers.NumberParseException:
        raise NumberInvalid(f"Enter a mobile number, like {EXAMPLE}") from None


def normalise_number(raw: str) -> str:
    """'07700 900123' -> '+447700900123'; raise NumberInvalid if it cannot be a phone number."""
    parsed = _parse(raw)
    if not phonenumbers.is_possible_number(parsed):
        raise NumberInvalid(f"Enter a mobile number, like {EXAMPLE}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_mobile(raw: str) -> str:
    """A mobile we can text, as E.164, or NumberInvalid saying what is wrong with it."""
    text = (raw or "").strip()
    if re.search(r"[A-Za-z]", text):
        raise NumberInvalid(
            f"the mobile '{text[:40]}' has words in it. Put only the young person's own "
            f"number here, like {EXAMPLE} (a note about whose phone it is goes elsewhere)"
        )
    try:
        parsed = phonenumbers.parse(text[:40], REGION)
    except phonenumbers.NumberParseException:
        raise NumberInvalid(f"'{text[:40]}' is not a phone number") from None
    number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if DRAMA_RANGE.match(number):
        return number
    if not phonenumbers.is_possible_number(parsed):
        raise NumberInvalid(f"the mobile '{text[:40]}' has too few or too many digits")
    mobile_kinds = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if (
        not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) not in mobile_kinds
    ):
        raise NumberInvalid(
            f"'{text[:40]}' is not a mobile number, so it cannot get texts. "
            f"Enter a mobile, like {EXAMPLE}"
        )
    return number
