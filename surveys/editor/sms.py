"""How many text messages a piece of SMS wording takes (for a warning, never a refusal).

A text is 160 characters in the GSM-7 alphabet. One character outside it (a curly quote, an
emoji, most accents) makes the phone network send the whole message as UCS-2, where a text holds
70 characters. A longer message is split into parts that each lose a few characters to the
header that joins them back: 153 (GSM-7) or 67 (UCS-2).
"""

from __future__ import annotations

import math

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

# The GSM 03.38 basic character set (one septet each) ...
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# ... and its extension table, sent as an escape plus the character (two septets each).
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, each once, in the order they first appear."""
    seen: list[str] = []
    for ch in text:
        if ch not in GSM_BASIC and ch not in GSM_EXTENSION and ch not in seen:
            seen.append(ch)
    return seen


def sms_segments(text: str) -> tuple[str, int]:
    """(encoding, number of texts) for ``text``: ("GSM-7", 1) for a short plain message."""
    if not text:
        return GSM_7, 0
    if non_gsm_characters(text):
        # UCS-2 counts UTF-16 code units: most emoji take two.
        units = len(text.encode("utf-16-le")) // 2
        return UCS_2, 1 if units <= 70 else math.ceil(units / 67)
    septets = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
    return GSM_7, 1 if septets <= 160 else math.ceil(septets / 153)
