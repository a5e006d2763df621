"""GSM-7 or UCS-2, and how many texts a message takes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.messaging.encoding import GSM_7, UCS_2, gsm7_or_ucs2, segments
from surveys.editor.sms import sms_segments


def test_plain_text_is_gsm7():
    assert gsm7_or_ucs2("Reply YES, NO or NOT SURE, or SKIP.") == GSM_7
    assert gsm7_or_ucs2("£5 @ the café, 50% off!") == GSM_7
    assert gsm7_or_ucs2("") == GSM_7


def test_one_character_outside_the_alphabet_makes_it_ucs2():
    assert gsm7_or_ucs2("What\u2019s up") == UCS_2  # a curly apostrophe
    assert gsm7_or_ucs2("thanks 👍") == UCS_2
    assert gsm7_or_ucs2("Ç") == GSM_7
    assert gsm7_or_ucs2("â") == UCS_2


def test_gsm7_sizes():
    assert segments("") == (GSM_7, 0)
    assert segments("a") == (GSM_7, 1)
    assert segments("a" * 160) == (GSM_7, 1)
    assert segments("a" * 161) == (GSM_7, 2)
    assert segments("a" * 306) == (GSM_7, 2)
    assert segments("a" * 307) == (GSM_7, 3)


def test_extension_characters_count_twice():
    for ch in "^{}\\[~]|€":
        assert segments(ch * 80) == (GSM_7, 1), ch
        assert segments(ch * 81) == (GSM_7, 2), ch
    assert segments("a" * 159 + "€") == (GSM_7, 2)


def test_ucs2_sizes_count_utf16_units():
    assert segments("é" + "â" * 69) == (UCS_2, 1)
    assert segments("â" * 70) == (UCS_2, 1)
    assert segments("â" * 71) == (UCS_2, 2)
    assert segments("â" * 134) == (UCS_2, 2)
    assert segments("â" * 135) == (UCS_2, 3)
    assert segments("😀" * 35) == (UCS_2, 1)  # each emoji is two units
    assert segments("😀" * 36) == (UCS_2, 2)


def test_a_lone_surrogate_does_not_raise():
    assert segments("\ud83d") == (UCS_2, 1)


def test_the_editor_uses_the_same_count():
    for text in ["", "a" * 161, "€" * 81, "😀" * 36, "What\u2019s"]:
        assert sms_segments(text) == segments(text)


@given(st.text())
def test_fuzz_segments(text):
    encoding, count = segments(text)
    assert encoding in (GSM_7, UCS_2)
    assert (count == 0) == (text == "")
