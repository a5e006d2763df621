"""How many text messages a piece of SMS wording takes (for a warning, never a refusal).

A text is 160 characters in the GSM-7 alphabet. One character outside it (a curly quote, an
emoji, most accents) makes the phone network send the whole message as UCS-2, where a text holds
70 characters. A longer message is split into parts that each lose a few characters to the
header that joins them back: 153 (GSM-7) or 67 (UCS-2).
"""

from __future__ import annotations

from app.messaging.encoding import GSM_7, GSM_BASIC, GSM_EXTENSION, UCS_2, segments

__all__ = ["GSM_7", "GSM_BASIC", "GSM_EXTENSION", "UCS_2", "non_gsm_characters", "sms_segments"]


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, each once, in the order they first appear."""
    seen: list[str] = []
    for ch in text:
        if ch not in GSM_BASIC and ch not in GSM_EXTENSION and ch not in seen:
            seen.append(ch)
    return seen


def sms_segments(text: str) -> tuple[str, int]:
    """(encoding, number of texts) for ``text``: ("GSM-7", 1) for a short plain message."""
    return segments(text)  # one implementation: app.messaging.encoding
