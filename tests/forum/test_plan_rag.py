"""The milestone roll-up rule (forum.rag.milestone_rag), tried on every combination.

Every status, every kind of due date (none, passed, today, inside and at the edge of the 14
days, just outside, far off) and every set of linked action ratings (each of red, amber, green
and won't do present or not): 3 x 7 x 16 = 336 cases, each checked against the rule as the
module docstring states it, written here as a table of reasons rather than the code's order.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from forum.rag import DUE_SOON_DAYS, Rating, milestone_rag, rag

TODAY = date(2026, 6, 10)
DUE = {
    "none": None,
    "passed": TODAY - timedelta(days=1),
    "today": TODAY,
    "soon": TODAY + timedelta(days=3),
    "edge": TODAY + timedelta(days=DUE_SOON_DAYS),
    "outside": TODAY + timedelta(days=DUE_SOON_DAYS + 1),
    "far": TODAY + timedelta(days=200),
}
COLOURS = ("red", "amber", "green", "none")
SETS = [
    frozenset(c for c, keep in zip(COLOURS, mask, strict=True) if keep)
    for mask in itertools.product((False, True), repeat=4)
]


def expected(status: str, due: str, colours: frozenset[str]) -> tuple[str, str]:
    if status == "achieved":
        return "blue", "achieved"
    reasons_red = []
    if due == "passed":
        reasons_red.append("overdue")
    if "red" in colours:
        reasons_red.append("an action is red")
    if reasons_red:
        return "red", reasons_red[0]
    reasons_amber = []
    if not colours - {"none"}:
        reasons_amber.append("no actions linked")
    if "amber" in colours:
        reasons_amber.append("an action is amber")
    if due == "none":
        reasons_amber.append("no due date")
    if due in ("today", "soon", "edge"):
        reasons_amber.append("due soon")
    if reasons_amber:
        return "amber", reasons_amber[0]
    return "green", "on track"


@pytest.mark.parametrize("status", ["not_started", "in_progress", "achieved"])
@pytest.mark.parametrize("due", list(DUE))
@pytest.mark.parametrize("colours", SETS, ids=lambda s: "+".join(sorted(s)) or "no-actions")
def test_every_combination_rolls_up_as_the_rule_says(status, due, colours):
    ratings = [Rating(c, "as shown") for c in sorted(colours)]
    got = milestone_rag(status, DUE[due], ratings, TODAY)
    assert (got.colour, got.label) == expected(status, due, colours)
    assert got.text  # always words beside the colour


def test_the_count_of_cases_is_the_whole_space():
    assert len(SETS) == 16 and len(DUE) * len(SETS) * 3 == 336


def test_a_hand_set_red_on_an_action_makes_its_milestone_red():
    """The roll-up reads the rating as shown, so an override counts."""
    action = rag("in_progress", TODAY + timedelta(days=90), None, TODAY, ("red", "Budget cut"))
    got = milestone_rag("in_progress", TODAY + timedelta(days=120), [action], TODAY)
    assert (got.colour, got.label) == ("red", "an action is red")


def test_an_action_done_late_does_not_hold_its_milestone_back():
    done_late = rag("done", TODAY - timedelta(days=30), TODAY - timedelta(days=2), TODAY)
    assert done_late.note == "done late"
    got = milestone_rag("in_progress", TODAY + timedelta(days=60), [done_late], TODAY)
    assert got.colour == "green"


def test_an_achieved_milestone_is_complete_even_with_a_red_action():
    got = milestone_rag("achieved", TODAY - timedelta(days=5), [Rating("red", "overdue")], TODAY)
    assert (got.colour, got.tag_class, got.text) == (
        "blue",
        "govuk-tag--blue",
        "Complete: achieved",
    )
