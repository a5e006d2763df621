"""The one disclosure-control module: primary suppression, the solver's audit, honest labels."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.disclosure import (
    HIDDEN,
    Publication,
    certainly_largest,
    is_primary,
    is_suppressed,
    suppress,
    suppress_table,
)


def test_counts_from_1_to_4_show_fewer_than_5():
    assert suppress([0, 1, 4, 5, 12]) == [0, "fewer than 5", "fewer than 5", 5, 12]
    assert suppress({"a": 3, "b": 9}) == {"a": "fewer than 5", "b": 9}
    assert suppress(2) == "fewer than 5"
    assert suppress(7, 10) == "fewer than 10"
    assert is_suppressed(suppress(3)) and not is_suppressed(suppress(30))


def test_the_cell_that_would_give_a_small_one_away_is_hidden_with_its_own_label():
    table = suppress_table({"web": {"a": 40}, "sms": {"a": 3}, "paper": {"a": 8}}, ["a"])
    assert table.cell("sms", "a") == "fewer than 5"
    assert table.cell("paper", "a") == HIDDEN and not is_primary(HIDDEN)
    assert table.cell("web", "a") == 40 and table.total == 51


def _audit(counts, columns, rows_add_up=True):
    publication = Publication()
    keys = publication.table("t", counts, columns, rows_add_up=rows_add_up)
    protected = publication.protect()
    primary = {k for k, v in protected.shown.items() if is_primary(v)}
    secondary = {k for k, v in protected.shown.items() if v == HIDDEN}
    return keys.published(protected), publication.ranges(primary, secondary)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 7, 12, 30]), min_size=3, max_size=3),
        min_size=2,
        max_size=4,
    )
)
def test_no_hidden_cell_of_any_table_is_pinned(grid):
    counts = {f"r{i}": dict(zip("abc", row, strict=True)) for i, row in enumerate(grid)}
    table, ranges = _audit(counts, list("abc"))
    for key, (low, high) in ranges.items():
        assert low is not None and high is not None and high - low >= 2, key
    for (row, column), value in table.cells.items():
        if value == HIDDEN:
            assert counts[row][column] >= 5  # "hidden" never hides a small number
        if is_primary(value):
            assert counts[row][column] < 5  # "fewer than 5" is always true


def test_a_takeaway_names_the_biggest_only_when_no_hidden_one_could_be_bigger():
    assert certainly_largest(9, [9, "fewer than 5", 0], 12)
    assert not certainly_largest(9, [9, "fewer than 5", HIDDEN], 20)  # hidden could be 10
    assert certainly_largest(30, [30, "fewer than 5", HIDDEN], 40)  # hidden is at most 9
    assert not certainly_largest(30, [30, HIDDEN], 100, adds_up=False)


def test_a_figure_no_extra_cell_can_protect_never_fails_the_page(app):
    """An earlier publication showed the total (8) of two small cells: no extra figure can be
    hidden to widen them now, and the page must still render (with them hidden)."""
    with app.app_context():
        publication = Publication()
        first, second, total = ("a",), ("b",), ("t",)
        publication.add(first, 4)
        publication.add(second, 4)
        publication.earlier(total, 8, 8)
        publication.adds_up([first, second], total)
        protected = publication.protect()
    assert protected[first] == protected[second] == "fewer than 5"
    assert protected[total] == 8
