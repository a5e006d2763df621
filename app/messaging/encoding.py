"""How a text message is encoded and how many parts (segments) it is sent as.

A text is 160 characters in the GSM-7 alphabet (GSM 03.38). The extension characters
``^{}\\[~]|€`` (and form feed) are sent as an escape plus the character, so they count twice. One
character outside the alphabet (a curly quote, an emoji, most accents) makes the network send the
whole message as UCS-2, where a text holds 70 UTF-16 code units; most emoji take two units. A
longer message is split into parts that each lose a few characters to the header that joins them
back: 153 septets (GSM-7) or 67 units (UCS-2) a part.

This is the one implementation: ``surveys.editor.sms.sms_segments`` delegates here.
"""

from __future__ import annotations

import math

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# The GSM 03.38 basic character set (one septet each) ...
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# ... and its extension table, sent as an escape plus the character (two septets each).
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")


GSM_ALPHABET = GSM_BASIC | GSM_EXTENSION


def gsm7_or_ucs2(text: str) -> str:
    """``"GSM-7"`` if every character is in the GSM-7 alphabet (basic or extension), else
    ``"UCS-2"``."""
    return GSM_7 if GSM_ALPHABET.issuperset(text or "") else UCS_2


def _utf16_units(text: str) -> int:
    # "surrogatepass" so that a lone surrogate (invalid, but possible in a str) counts as one
    # unit instead of raising.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def segments(text: str) -> tuple[str, int]:
    """(encoding, number of texts) for ``text``: ``("GSM-7", 1)`` for a short plain message and
    ``("GSM-7", 0)`` for an empty one."""
    text = text or ""
    if not text:
        return GSM_7, 0
    encoding = gsm7_or_ucs2(text)
    if encoding == UCS_2:
        units = _utf16_units(text)
        return UCS_2, 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PART)
    # Counted in C, not a character at a time: the webhook asks this of each reply it writes.
    septets = len(text) + sum(text.count(ch) for ch in GSM_EXTENSION)
    return GSM_7, 1 if septets <= GSM_SINGLE else math.ceil(septets / GSM_PART)
