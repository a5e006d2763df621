"""The attack on the outcomes page: a board member reads every figure the page shows and works
out what the hidden counts can be.

The attacker's own model, built only from the page's tables (never the product's code path):
for each year and measure, the two age groups' counts add up to the all-ages count and the
cohorts to the all-ages cohort; a count is 0 to its cohort, so the people not in it (cohort less
count) are 0 or more; a shown percentage p of a shown cohort c puts the count within
(p - 0.5)% to (p + 0.5)% of c; "fewer than 5" is 0 to 4, "hidden to protect privacy" 5 or more.
A solver (integer counts) gives each hidden count's smallest and largest value, and for every
small number (the count or the people not in it) the attack must not pin it.

Switch the product's secondary step off (``Publication.secondary = False``) and the attack pins
them: the last test shows it.
"""

from __future__ import annotations

import pytest

from app.core.disclosure import Publication
from app.staff.auth.models import Role
from tests.app.board.outcomes.helpers import attack, read_figures, store

# 2026: 3 in education at 17-18 (small), 2 of 17-18 not in touch (small), 4 of 19-21 not in
# suitable accommodation (small). 2025: nothing small.
FIGURES = {
    2025: {"17-18": (50, 45, 30, 44), "19-21": (90, 80, 50, 75)},
    2026: {"17-18": (40, 38, 3, 30), "19-21": (80, 70, 50, 76)},
}
SMALL = {
    (2026, "eet", "17-18", "in"),
    (2026, "in_touch", "17-18", "not"),
    (2026, "suitable_accommodation", "19-21", "not"),
}


@pytest.fixture
def board_member(app, logged_in_as):
    store(
        app,
        {year: {g: figures for g, figures in groups.items()} for year, groups in FIGURES.items()},
    )
    return logged_in_as(Role.BOARD_MEMBER)


def test_no_small_count_can_be_worked_out_from_the_page(board_member):
    seen = read_figures(board_member.get("/board/outcomes").get_data(as_text=True))
    assert seen["count"][(2026, "eet", "17-18")] == "fewer than 5"
    assert seen["percent"][(2026, "eet", "17-18")] == "not shown"
    ranges = attack(seen)
    for key in SMALL:
        smallest, largest = ranges[key]
        assert largest > smallest, f"{key} is pinned to {smallest}"
    # A year with nothing small is shown in full, percentages included.
    assert seen["count"][(2025, "eet", "all")] == "80"
    assert seen["percent"][(2025, "eet", "all")] == f"{100 * 80 / 140:.0f}%"


def test_without_secondary_suppression_the_attack_pins_a_small_count(board_member, monkeypatch):
    monkeypatch.setattr(Publication, "secondary", False)
    ranges = attack(read_figures(board_member.get("/board/outcomes").get_data(as_text=True)))
    pinned = {key for key in SMALL if ranges[key][0] == ranges[key][1]}
    assert pinned == SMALL
