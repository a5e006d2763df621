"""Dates of birth as people write them: the one rule for every channel (web, text, paper keying).

A two-digit year ("3/6/05") is read in the century that makes the person 10 to 99 years old
today: "05" is 2005 and "85" is 1985 (in 2026). The two readings are 100 years apart, so at most
one fits; care leavers are 16 to 25, well inside. When neither fits (in 2026, "20" would make
someone 6 or 106) the year is unclear and the channel asks for it with 4 numbers.

Channels word the problems themselves (a web error under the field, a short text re-ask): this
module only says which problem it is.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

YOUNGEST_FOR_TWO_DIGITS, OLDEST_FOR_TWO_DIGITS = 10, 99
OLDEST = 120


class BirthDateProblem(StrEnum):
    YEAR_LENGTH = "year_length"  # not 2 or 4 numbers
    UNCLEAR_CENTURY = "unclear_century"  # 2 numbers, and neither century is plausible
    NOT_REAL = "not_real"  # 31/2, 13th month
    FUTURE = "future"
    TOO_OLD = "too_old"


class BirthDateInvalid(ValueError):
    def __init__(self, problem: BirthDateProblem):
        super().__init__(problem.value)
        self.problem = problem


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def date_of_birth(day: int, month: int, year: str, today: date) -> date:
    """The date of birth for a day, a month and a year as typed (2 or 4 numbers)."""
    if len(year) == 4:
        years = [int(year)]
    elif len(year) == 2:
        years = [2000 + int(year), 1900 + int(year)]
    else:
        raise BirthDateInvalid(BirthDateProblem.YEAR_LENGTH)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise BirthDateInvalid(BirthDateProblem.NOT_REAL)
    candidates: list[date] = []
    for y in years:
        try:
            candidates.append(date(y, month, day))
        except ValueError:
            continue
    if not candidates:
        raise BirthDateInvalid(BirthDateProblem.NOT_REAL)
    if len(years) == 2:
        plausible = [
            c
            for c in candidates
            if c < today and YOUNGEST_FOR_TWO_DIGITS <= age_on(c, today) <= OLDEST_FOR_TWO_DIGITS
        ]
        if not plausible:
            raise BirthDateInvalid(BirthDateProblem.UNCLEAR_CENTURY)
        return plausible[0]
    born = candidates[0]
    if born >= today:
        raise BirthDateInvalid(BirthDateProblem.FUTURE)
    if age_on(born, today) > OLDEST:
        raise BirthDateInvalid(BirthDateProblem.TOO_OLD)
    return born
