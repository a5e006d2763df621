"""Text cleaning and matching: one copy of each rule, named for what it is for.

Storing (what a person typed, kept as they meant it):
- ``strip_controls(text)``: control codes (NUL, escape, DEL...) dropped, new lines, tabs and
  carriage returns kept; nothing else changes. Every form field gets this (app.core.forms), so
  it must not trim or normalise: a password is compared exactly as typed.
- ``clean_text(text)``: for storing free text (answers, questionnaire wording): NFC, CR LF and CR
  as LF, invisible characters dropped (controls except new line and tab, format characters
  except the emoji joiner, lone surrogates, private-use and unassigned code points), runs of
  spaces and tabs as one space, each line and the whole text trimmed. Lengths are the caller's
  rule (each says it in its own words).

Matching (keys compared with each other, never stored or shown):
- ``casefold_compatible(text)``: NFKC then case-folded: full-width, styled and ligature letters as
  plain ones; punctuation kept, for readers that look at it (dates, the safeguarding rules).
- ``strip_accents(text)``: "café" as "cafe".
- ``symbols_to_spaces(text)``: outside ASCII, combining marks, joiners and format characters
  dropped ("zalgo" text), emoji, other symbols, controls and unusual spaces as a space. ASCII is
  left alone, for callers that read its punctuation ("$" for "s").
- ``fold(text, keep="")``: the matching key: casefold_compatible, accents dropped, apostrophes
  dropped ("don't" is "dont"), any other punctuation, symbol or emoji as a space (except the
  characters in ``keep``), runs of spaces as one, trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH_JOINER = "\u200d"  # joins emoji ("👩‍👩‍👧"): part of what was typed
_DROP_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_SPACE_CATEGORIES = frozenset({"So", "Sk", "Sc", "Sm", "Cc", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"})


def _as_str(text: Any) -> str:
    if text is None:
        return ""
    return text if isinstance(text, str) else str(text)


# --- Storing -------------------------------------------------------------------------------


def strip_controls(text: Any) -> Any:
    """``text`` without control codes except new lines, tabs and carriage returns.

    Anything that is not a string (a number, a file, None) is returned as it is."""
    if not isinstance(text, str):
        return text
    return "".join(ch for ch in text if ch in "\n\r\t" or unicodedata.category(ch) != "Cc")


def _visible(ch: str) -> bool:
    return ch in "\n\t" or ch == _ZERO_WIDTH_JOINER or unicodedata.category(ch)[0] != "C"


def clean_text(text: Any) -> str:
    """Free text as we store it (see the module docstring); "" for None."""
    text = _as_str(text)
    # Lone surrogates first: NFC cannot encode them.
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if _visible(ch))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


# --- Matching ------------------------------------------------------------------------------


def casefold_compatible(text: Any) -> str:
    return unicodedata.normalize("NFKC", _as_str(text)).casefold()


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def symbols_to_spaces(text: str) -> str:
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in _DROP_CATEGORIES:
            continue
        out.append(" " if category in _SPACE_CATEGORIES else ch)
    return "".join(out)


def fold(text: Any, keep: str = "") -> str:
    """The matching key of a text (see the module docstring); "" for None."""
    text = _APOSTROPHES.sub("", strip_accents(casefold_compatible(text)))
    not_word = f"[^\\w{re.escape(keep)}]+|_+" if keep else r"[\W_]+"
    return re.sub(r"\s+", " ", re.sub(not_word, " ", text)).strip()
