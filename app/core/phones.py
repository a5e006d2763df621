"""The one phone-number rule: UK numbers in, E.164 out (with the phonenumbers library).

- ``normalise_number``: any number a phone could text from, as '+447700900123' (inbound texts,
  the phone simulator, hashing). Short codes and odd senders raise NumberInvalid.
- ``normalise_mobile``: a number we may text a care leaver at: a valid UK (or other) mobile.
  Ofcom's drama range (07700 900000 to 900999) is accepted although phonenumbers calls it
  invalid, so demos and training can use it safely.
Errors say how to fix it, in plain English.

Parsing is slow (phonenumbers' metadata walk), and one request may ask about the same number
several times (the SMS webhook: may we reply, its hash, its opt-out under every key). So within
one application context (a request, a command) each answer is remembered: a number is parsed once
whichever rule asks first, and the E.164 form a rule returns is known to normalise to itself. The
memo lives on ``flask.g``, so it goes with the request, and holds only a few numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
from flask import g, has_app_context

DRAMA_RANGE = re.compile(r"^\+447700900\d{3}$")
REGION = "GB"
EXAMPLE = "07700 900123"
MEMO_SIZE = 16  # numbers remembered in one application context (a bulk import clears it often)


class NumberInvalid(ValueError):
    """Not a phone number we can use; the message says what is wrong."""


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse((raw or "").strip()[:40], REGION)
    except phonenumbers.NumberParseException:
        raise NumberInvalid(f"Enter a mobile number, like {EXAMPLE}") from None


def _remembered(rule: Callable[[str], str], raw: str) -> str:
    """``rule(raw)``, worked out once in this application context (see the module docstring)."""
    if not has_app_context():
        return rule(raw)
    memo: dict[tuple[str, str], str | NumberInvalid] = g.setdefault("phone_numbers", {})
    key = (rule.__name__, raw)
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        try:
            number = rule(raw)
        except NumberInvalid as problem:
            memo[key] = problem
        else:
            memo[key] = number
            # A number either rule accepts is possible, and its E.164 form is its own.
            memo[(_normalise_number.__name__, raw)] = number
            memo[(_normalise_number.__name__, number)] = number
    found = memo[key]
    if isinstance(found, NumberInvalid):
        raise NumberInvalid(str(found))
    return found


def normalise_number(raw: str) -> str:
    """'07700 900123' -> '+447700900123'; raise NumberInvalid if it cannot be a phone number."""
    return _remembered(_normalise_number, raw)


def normalise_mobile(raw: str) -> str:
    """A mobile we can text, as E.164, or NumberInvalid saying what is wrong with it."""
    return _remembered(_normalise_mobile, raw)


def _normalise_number(raw: str) -> str:
    parsed = _parse(raw)
    if not phonenumbers.is_possible_number(parsed):
        raise NumberInvalid(f"Enter a mobile number, like {EXAMPLE}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _normalise_mobile(raw: str) -> str:
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
    # number_type is UNKNOWN for an invalid number, so this is is_valid_number too (which
    # would work the type out a second time).
    if phonenumbers.number_type(parsed) not in mobile_kinds:
        raise NumberInvalid(
            f"'{text[:40]}' is not a mobile number, so it cannot get texts. "
            f"Enter a mobile, like {EXAMPLE}"
        )
    return number
