"""The one suppression rule every published figure follows."""

from __future__ import annotations

from app.core.disclosure import HIDDEN, is_suppressed, suppress, suppress_secondary


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


# --- Tables with totals (the board's breakdowns by age band) -----------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from app.core.disclosure import TOTAL, suppress_table  # noqa: E402


def _lines(table):
    """Every row and column of the published table, each with its total, as lists of values."""
    rows = [
        [table.cells[(r, c)] for c in table.columns] + [table.row_totals[r]] for r in table.rows
    ]
    rows.append([table.column_totals[c] for c in table.columns] + [table.total])
    columns = [
        [table.cells[(r, c)] for r in table.rows] + [table.column_totals[c]] for c in table.columns
    ]
    columns.append([table.row_totals[r] for r in table.rows] + [table.total])
    return rows + columns


def test_a_table_hides_a_second_cell_in_each_line_that_has_one_hidden():
    table = suppress_table(
        {
            "Yes": {"16-17": 3, "18-20": 20, "21-25": 12},
            "No": {"16-17": 9, "18-20": 14, "21-25": 7},
        },
        ["16-17", "18-20", "21-25"],
    )
    assert table.cell("Yes", "16-17") == "fewer than 5"
    # Its row and its column each lose another cell, so subtraction gives nothing away.
    assert table.cell("No", "16-17") == HIDDEN
    assert sum(1 for c in table.columns if is_suppressed(table.cell("Yes", c))) >= 2
    assert table.cell("Yes") == 35 and table.total == 65
    for line in _lines(table):
        assert sum(1 for v in line if is_suppressed(v)) != 1


def test_a_small_total_is_hidden_with_all_it_is_made_of():
    table = suppress_table({"Yes": {"a": 2, "b": 1}, "No": {"a": 0, "b": 0}}, ["a", "b"])
    assert table.total == "fewer than 5"
    assert table.cell("No", "a") == 0  # zero reveals nobody


def test_rows_that_do_not_add_up_only_check_each_row_with_its_total():
    table = suppress_table(
        {"Money": {"a": 3, "b": 10}, "Housing": {"a": 8, "b": 8}}, ["a", "b"], rows_add_up=False
    )
    assert table.cell("Money", "a") == "fewer than 5" and table.cell("Money", "b") == HIDDEN
    assert table.cell("Housing", "a") == 8


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3),
        min_size=1,
        max_size=5,
    )
)
def test_no_published_line_has_exactly_one_hidden_cell(grid):
    counts = {
        f"row{i}": {c: n for c, n in zip("abc", row, strict=True)} for i, row in enumerate(grid)
    }
    table = suppress_table(counts, list("abc"))
    for line in _lines(table):
        assert sum(1 for v in line if is_suppressed(v)) != 1
    # Every shown number is the true one, and every small one is hidden.
    for (r, c), value in table.cells.items():
        raw = counts[r][c]
        assert value == raw if not is_suppressed(value) else raw > 0
        if 0 < raw < 5:
            assert value == "fewer than 5"
    assert TOTAL == "Total"
