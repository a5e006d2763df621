"""Disclosures an adversarial check found the list missed, each now flagged (the attack: each
of these, screened with the shipped list, came back unflagged before this list and its
normalisation learnt them). Spaced or dotted letters, letters held down, words run together,
text-speak, an emoji that says the word, and plain or second-language wording."""

from __future__ import annotations

import pytest

from surveys.safeguarding.screening import load_rules, normalise, screen

RULES = load_rules()

SAID_ANOTHER_WAY = [
    "k.i.l.l m.y.s.e.l.f",
    "k i l l myself",
    "i want to d i e",
    "i want to d.i.e",
    "i want to d-i-e",
    "I W A N T T O D I E",
    "kmsss",
    "i want to kilmyself",
    "imgonnakillmyself",
    "idontwanttolive",
    "hehitsme",
    "nowheretosleep",
    "ima end it",
    "please kill me",
    "i want to leave this world",
    "i want to go to heaven",
    "i want to join my mum in heaven",
    "i want stop my life",
    "i dont want life",
    "i want to \U0001f480",
    "sleep on street tonight",
    "no home tonight",
    "im getting hit",
    "i am being abuse",
    "they will hurt my family",
    "everyone better without me",
]

# Said quietly, without naming the risk (a second adversarial check): each is "possible", for
# the lead to review.
SAID_QUIETLY = [
    "i give up",
    "i am a burden",
    "im just a burden",
    "i was kicked out",
    "i want everything to stop",
    "i just want it all to stop",
    "i wish the pain would stop",
    "i was touched",
    "he sends me pics",
    "he asks me for pics",
]


@pytest.mark.parametrize("text", SAID_ANOTHER_WAY)
def test_a_disclosure_said_another_way_is_flagged(text):
    assert screen(text, RULES).flagged, (text, normalise(text))


@pytest.mark.parametrize("text", SAID_QUIETLY)
def test_a_risk_said_quietly_is_flagged_for_review(text):
    result = screen(text, RULES)
    assert result.flagged, (text, normalise(text))
    assert result.level == "possible", "a quiet phrasing is not emailed at once: the lead reviews"


@pytest.mark.parametrize(
    "text",
    [
        "my mum will kill me if i am late again",
        "this homework is killing me",
        "i got hit by a ball in football",
        "lol \U0001f480",
        "the d.j. was good",
        "i give up smoking this year",
        "i am not a burden",
        "i was kicked out of college",
        "i was really touched by how kind they were",
        "her story touched me",
        "my mum sends me pics of the dog",
        "my worker asked me for photos for my passport",
        "i want it to stop raining",
    ],
)
def test_the_everyday_words_those_rules_are_near_stay_unflagged(text):
    assert not screen(text, RULES).flagged, (text, normalise(text))
