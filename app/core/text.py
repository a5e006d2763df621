"""Text cleaning and matching: one copy of each rule, named for what it is for.

- ``fold(text)``: the key two texts are matched on, never stored: compatibility-normalised,
  case-folded, accents dropped, apostrophes dropped ("don't" is "dont"), any other punctuation,
  symbol or emoji as a space, runs of spaces as one, trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_NOT_WORD = re.compile(r"[\W_]+")


def _as_str(text: Any) -> str:
    if text is None:
        return ""
    return text if isinstance(text, str) else str(text)


def strip_accents(text: str) -> str:
    """ "café" -> "cafe": decomposed, combining marks dropped, recomposed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: Any) -> str:
    """The matching key of a text (see the module docstring); "" for None."""
    text = unicodedata.normalize("NFKC", _as_str(text)).casefold()
    text = strip_accents(text)
    text = _APOSTROPHES.sub("", text)
    return _NOT_WORD.sub(" ", text).strip()
