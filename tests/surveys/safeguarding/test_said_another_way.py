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


@pytest.mark.parametrize("text", SAID_ANOTHER_WAY)
def test_a_disclosure_said_another_way_is_flagged(text):
    assert screen(text, RULES).flagged, (text, normalise(text))


@pytest.mark.parametrize(
    "text",
    [
        "my mum will kill me if i am late again",
        "this homework is killing me",
        "i got hit by a ball in football",
        "lol \U0001f480",
        "the d.j. was good",
    ],
)
def test_the_everyday_words_those_rules_are_near_stay_unflagged(text):
    assert not screen(text, RULES).flagged, (text, normalise(text))
