"""The one rule for dates of birth as typed (app/core/dates.py), shared by the web and texts."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.dates import BirthDateInvalid, BirthDateProblem, date_of_birth

TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("year", "born"),
    [("05", date(2005, 6, 3)), ("10", date(2010, 6, 3)), ("99", date(1999, 6, 3)),
     ("85", date(1985, 6, 3)), ("2005", date(2005, 6, 3))],
)  # fmt: skip
def test_a_two_digit_year_takes_the_century_that_makes_the_person_10_to_99(year, born):
    assert date_of_birth(3, 6, year, TODAY) == born


def test_the_century_moves_with_the_clock():
    assert date_of_birth(3, 6, "30", date(2045, 1, 1)) == date(2030, 6, 3)
    assert date_of_birth(3, 6, "30", TODAY) == date(1930, 6, 3)


@pytest.mark.parametrize(
    ("day", "month", "year", "problem"),
    [
        (1, 1, "20", BirthDateProblem.UNCLEAR_CENTURY),  # 6 or 106 years old
        (1, 1, "205", BirthDateProblem.YEAR_LENGTH),
        (31, 2, "2005", BirthDateProblem.NOT_REAL),
        (29, 2, "01", BirthDateProblem.NOT_REAL),
        (1, 1, "2999", BirthDateProblem.FUTURE),
        (1, 1, "1850", BirthDateProblem.TOO_OLD),
    ],
)
def test_other_dates_say_what_is_wrong(day, month, year, problem):
    with pytest.raises(BirthDateInvalid) as raised:
        date_of_birth(day, month, year, TODAY)
    assert raised.value.problem == problem
