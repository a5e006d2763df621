"""The response rate: one definition, one piece of arithmetic, used by every page.

The response rate of a round is

    completed responses from any channel (web, text, paper, interview)
    ÷ eligible care leavers on the contact list at the round's opening.

Every page that shows a rate (the round page, the response-rate dashboard, the board's
dashboard, the board pack's PDF, XLSX, method note and glossary) builds a ``ResponseRate`` here
and prints ``DEFINITION`` / ``ResponseRate.summary``; nothing else divides the two numbers.

Decisions a newcomer might otherwise undo:
- The denominator is *fixed when the round opens*. Who is eligible is the personal side's rule
  (app/outreach/contacts/eligibility.py), and ``surveys`` must never import ``app.outreach``
  (the anonymity boundary). So the composition root registers the personal side's counter
  (``register_eligible_counter``); opening a round (surveys/services.py ``open_round``) asks it
  once and records the answer on the round (``SurveyRound.eligible_at_opening``). Contacts
  imported, erased or changed afterwards do not move it, so the rate cannot jump when someone
  asks to be forgotten. An open round without the figure (opened before it was recorded) gets it
  from a one-off job (``record_missing_eligible_counts``, run when the job consumer starts and
  hourly), never from a page: a GET does not write. A closed round without it is treated as
  having had no list, since today's list says nothing about who was on it back then.
- The numerator counts every completed response to the round, whatever the channel and whether
  the person was invited or not: the survey is anonymous, so we cannot tell. It can therefore
  pass 100% when many people answer by an open link; we show that figure as it is.
- A round with no contact list at its opening (none, or nobody eligible on it) has no eligible
  count. If staff entered the number of care leavers they will ask (``cohort_size``) that is used
  instead, and every page says it is a staff estimate; otherwise the rate is "not known".
- Percentages are whole numbers with halves rounded up (3 of 8 is 38%).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from flask import Flask, current_app

from app.core.extensions import db
from surveys.models import Response, RoundStatus, SurveyRound

DEFINITION = (
    "The response rate is the number of completed responses from any channel (web, text, "
    "paper or interview) divided by the number of eligible care leavers on the contact list "
    "when the round opened."
)
GLOSSARY = (
    "Completed responses from any channel (web, text, paper or interview), as a share of the "
    "eligible care leavers on the contact list when the round opened."
)
ESTIMATE_NOTE = (
    "There was no contact list when the round opened (or it has not opened yet), so the rate "
    "uses the number of care leavers staff said they would ask (an estimate entered by staff)."
)
NOT_KNOWN = (
    "The response rate is not known: there was no contact list when the round opened, and no "
    "number of care leavers to ask was entered."
)

EligibleCounter = Callable[[SurveyRound], int]
_COUNTER = "belonging.eligible_counter"


class Basis(StrEnum):
    LIST = "list"  # eligible care leavers on the contact list at the round's opening
    ESTIMATE = "estimate"  # no list at opening: the staff-entered number to ask


def register_eligible_counter(app: Flask, counter: EligibleCounter) -> None:
    """The composition root hands us the personal side's count of eligible care leavers."""
    app.extensions[_COUNTER] = counter


def percent(part: int, whole: int | None) -> int | None:
    """A whole-number percentage, halves rounded up (3 of 8 is 38%); None without a whole."""
    if not whole:
        return None
    return math.floor(part * 100 / whole + 0.5)


def record_eligible_at_opening(survey_round: SurveyRound) -> None:
    """Fix the round's denominator now (the caller commits). Once recorded, never changed."""
    if survey_round.eligible_at_opening is not None:
        return
    counter: EligibleCounter | None = current_app.extensions.get(_COUNTER)
    if counter is not None:
        survey_round.eligible_at_opening = int(counter(survey_round))


def record_missing_eligible_counts() -> int:
    """The one-off for open rounds opened before the figure was recorded (run by the job
    consumer at start and hourly, surveys/rounds/tasks.py): record it now. Returns how many."""
    missing = list(
        db.session.scalars(
            sa.select(SurveyRound).where(
                SurveyRound.status == RoundStatus.OPEN.value,
                SurveyRound.eligible_at_opening.is_(None),
            )
        )
    )
    for survey_round in missing:
        record_eligible_at_opening(survey_round)
    db.session.commit()
    return len(missing)


def eligible_at_opening(survey_round: SurveyRound) -> int | None:
    """The recorded count. Pages only read it: a GET never writes (issue 20)."""
    return survey_round.eligible_at_opening


def completed_responses(survey_round: SurveyRound) -> int:
    """Completed responses to the round, from every channel."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(
                Response.round_id == survey_round.id, Response.status == "complete"
            )
        )
        or 0
    )


@dataclass(frozen=True)
class ResponseRate:
    responded: int
    eligible: int | None  # the denominator, or None when it is not known
    basis: Basis | None
    target_rate: int

    @property
    def percent(self) -> int | None:
        return percent(self.responded, self.eligible)

    @property
    def target_count(self) -> int | None:
        if not self.eligible:
            return None
        return math.ceil(self.eligible * self.target_rate / 100)

    @property
    def still_needed(self) -> int | None:
        target = self.target_count
        return None if target is None else max(target - self.responded, 0)

    @property
    def target_met(self) -> bool:
        return self.still_needed == 0

    @property
    def of_whom(self) -> str:
        """What the denominator counts, in words."""
        if self.basis == Basis.ESTIMATE:
            return "care leavers staff said they would ask (an estimate entered by staff)"
        return "eligible care leavers on the contact list when the round opened"

    @property
    def explanation(self) -> str:
        """The definition, and what this round's denominator is when it is not the list."""
        return DEFINITION + (f" {ESTIMATE_NOTE}" if self.basis == Basis.ESTIMATE else "")

    @property
    def summary(self) -> str:
        """One sentence a page can print: the figures, the rate, the target."""
        if self.percent is None or self.eligible is None:
            return NOT_KNOWN
        text = (
            f"{self.responded} completed responses from {self.eligible} {self.of_whom}: "
            f"{self.percent}%. "
        )
        if self.target_met:
            return text + f"The {self.target_rate}% target is met."
        needed = self.still_needed
        return text + (
            f"{needed} more completed {'response is' if needed == 1 else 'responses are'} "
            f"needed to reach the {self.target_rate}% target."
        )


def denominator(survey_round: SurveyRound) -> tuple[int | None, Basis | None]:
    eligible = eligible_at_opening(survey_round)
    if eligible:
        return eligible, Basis.LIST
    if survey_round.cohort_size:
        return survey_round.cohort_size, Basis.ESTIMATE
    return None, None


def response_rate(survey_round: SurveyRound, responded: int | None = None) -> ResponseRate:
    """The round's rate; ``responded`` is given by a page that shows a snapshot (the board)."""
    eligible, basis = denominator(survey_round)
    return ResponseRate(
        responded=completed_responses(survey_round) if responded is None else responded,
        eligible=eligible,
        basis=basis,
        target_rate=survey_round.target_rate,
    )
