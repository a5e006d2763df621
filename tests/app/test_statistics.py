"""The one suppression rule every published figure follows."""

from __future__ import annotations

from app.statistics import HIDDEN, is_suppressed, suppress, suppress_secondary


def test_counts_from_1_to_4_show_fewer_than_5():
    assert suppress([0, 1, 4, 5, 12]) == [0, "fewer than 5", "fewer than 5", 5, 12]
    assert suppress({"a": 3, "b": 9}) == {"a": "fewer than 5", "b": 9}
    assert suppress(2) == "fewer than 5"
    assert suppress(7, threshold=10) == "fewer than 10"
    assert is_suppressed(suppress(3)) and not is_suppressed(suppress(30))


def test_one_hidden_cell_hides_the_next_smallest_too():
    shown = suppress_secondary({"web": 40, "sms": 3, "paper": 8, "phone": 11})
    assert shown == {"web": 40, "sms": "fewer than 5", "paper": HIDDEN, "phone": 11}


def test_two_hidden_cells_need_no_more():
    shown = suppress_secondary({"web": 40, "sms": 3, "paper": 2, "phone": 11})
    assert shown == {"web": 40, "sms": "fewer than 5", "paper": "fewer than 5", "phone": 11}
