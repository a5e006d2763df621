"""The attack: disclosures in the words young people use must each be flagged.

The attacker writes as a care leaver on a cheap phone would: misspelt, in second-language
English, sideways. Every phrasing issue 15 found missed, and every disclosure of the held-out
half of the evaluation set, must be flagged by the default screening. The last test shows the
protection is what stops the attack: with any one layer switched off some disclosure gets
through, or (for the optional semantic layer) nothing changes.
"""

from __future__ import annotations

import pytest

from surveys.safeguarding.screening import LAYERS, screen
from tests.surveys.safeguarding.evaluation import MISSED_BEFORE, disclosures, score

ATTACK = [*MISSED_BEFORE, *disclosures("heldout")]


@pytest.mark.parametrize("answer", ATTACK)
def test_every_disclosure_is_flagged(answer: str) -> None:
    assert screen(answer).flagged, f"missed: {answer!r}"


def test_false_alarms_stay_low_on_the_held_out_half() -> None:
    result = score("heldout")
    assert result.recall == 1.0, result.missed
    assert result.false_alarms < 0.25, result.alarms


@pytest.mark.parametrize("off", ["rules", "spelling"])
def test_the_attack_succeeds_with_a_layer_switched_off(off: str) -> None:
    layers = [layer for layer in LAYERS if layer != off and layer != "semantic"]
    missed = [a for a in ATTACK if not screen(a, layers=layers).flagged]
    assert missed, f"nothing missed without the {off} layer"
