"""How many texts a piece of SMS wording takes."""

from __future__ import annotations

from surveys.editor.sms import GSM_7, UCS_2, non_gsm_characters, sms_segments

CURLY = "\u2019"  # a right single quotation mark, as word processors type an apostrophe


def test_plain_short_text_is_one_gsm_text():
    assert sms_segments("Are you: 1 Male 2 Female? Reply 1 or 2, or SKIP.") == (GSM_7, 1)


def test_empty_text_takes_no_texts():
    assert sms_segments("") == (GSM_7, 0)


def test_160_plain_characters_fit_one_text_and_161_need_two():
    assert sms_segments("a" * 160) == (GSM_7, 1)
    assert sms_segments("a" * 161) == (GSM_7, 2)
    assert sms_segments("a" * 306) == (GSM_7, 2)
    assert sms_segments("a" * 307) == (GSM_7, 3)


def test_a_curly_apostrophe_makes_it_ucs2_with_70_a_text():
    text = f"What{CURLY}s the best thing about leaving care?"
    assert sms_segments(text) == (UCS_2, 1)
    assert non_gsm_characters(text) == [CURLY]
    assert sms_segments(CURLY + "a" * 69) == (UCS_2, 1)
    assert sms_segments(CURLY + "a" * 70) == (UCS_2, 2)
    # The same words with a straight apostrophe stay in one plain text up to 160.
    assert sms_segments("What's" + "a" * 154) == (GSM_7, 1)


def test_emoji_count_as_two_ucs2_units():
    assert sms_segments("😀") == (UCS_2, 1)
    assert sms_segments("😀" * 35) == (UCS_2, 1)
    assert sms_segments("😀" * 36) == (UCS_2, 2)


def test_gsm_extension_characters_count_twice():
    assert sms_segments("€" * 80) == (GSM_7, 1)
    assert sms_segments("€" * 81) == (GSM_7, 2)
    assert sms_segments("£ é @ Ä") == (GSM_7, 1)
