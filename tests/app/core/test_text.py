"""The one set of text rules: what is stored, and what is matched."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.core.text import casefold_compatible, clean_text, fold, strip_accents, strip_controls


def test_clean_text_stores_what_was_meant():
    assert clean_text("  Bills\x00 and\t\tfood \r\nFeeling\u00a0 lonely\r") == (
        "Bills and food\nFeeling lonely"
    )
    assert clean_text("👩\u200d👩\u200d👧 family") == "👩\u200d👩\u200d👧 family"  # joiner kept
    assert clean_text("e\u0301\u202e\ud83d") == "é"  # NFC; bidi override, lone surrogate gone
    assert clean_text(None) == ""


def test_clean_text_keeps_paragraphs():
    assert clean_text("First.\n\nSecond.") == "First.\n\nSecond."


def test_strip_controls_changes_nothing_but_control_codes():
    assert strip_controls("  pass\x00word\x1b \n") == "  password \n"
    assert strip_controls(42) == 42


def test_fold_is_the_matching_key():
    assert fold("  DON'T  text me!!! 🛑 ") == "dont text me"
    assert fold("Café-Bar_north") == "cafe bar north"
    assert fold("n / a, 18+", keep="/+") == "n / a 18+"
    assert fold(None) == ""
    assert strip_accents("Zoë") == "Zoe"
    assert casefold_compatible("\uff33\uff34\uff2f\uff30") == "stop"


@given(st.text())
def test_clean_text_is_stable_and_leaves_no_invisible_characters(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not any(unicodedata.category(ch)[0] == "C" and ch not in "\n\t\u200d" for ch in cleaned)
