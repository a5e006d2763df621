"""Who we have not heard from: a round's invitations by team, age band and group.

For each row: how many were invited, how many were reached (a message sent or printed, the
rule in services.deliveries) and how many have responded. "Responded" here is the invitations'
completion flags (set from sealed notices in batches of at least 5, a day or more late:
surveys/completion.py), the only link from an answer back to an invitation, and it says only
that someone finished, never what they said. Nothing on this page is by person.

- Teams and age bands are copied to the invitation when it is made (so erasing a contact does
  not move them); the bands are the one rule, surveys/age_bands.py, shown by its labels.
- Groups are read from the contact now (app/outreach/contacts/groups.py); an erased contact's
  invitation is in no group. One person may be in several groups, so group rows do not add up
  to the total: each is only "within" it. "In no group" is not shown, so no group's complement
  can be worked out from it.
- Disclosure control (app/core/disclosure.py, the one rule): every figure on the page is one
  ``Publication``: teams and bands add up to the totals, reached and responded sit within
  invited, every row within the totals. Counts of 1 to 4 read "fewer than 5", and the solver
  hides more cells until no hidden cell can be worked out from the totals and the other rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from app.core.disclosure import Protected, Publication, is_suppressed
from app.outreach.contacts.groups import GROUPS
from app.outreach.invitations.services import Delivery, deliveries
from surveys.age_bands import AGE_BANDS, UNKNOWN
from surveys.models import SurveyRound
from surveys.response_rate import percent

Shown = int | str  # a count, "fewer than 5" or "hidden to protect privacy"
MEASURES = ("invited", "reached", "responded")
TOTAL = ("total",)
# The stored band ("16-17", app/outreach/contacts/services.AGE_BANDS) to the rule's label.
BAND_LABELS = {f"{low}-{high}": label for label, low, high in AGE_BANDS}
BANDS = [*(label for label, _low, _high in AGE_BANDS), UNKNOWN]


@dataclass(frozen=True)
class ReachRow:
    label: str
    invited: Shown
    reached: Shown
    responded: Shown

    @property
    def rate(self) -> str:
        """Responded as a share of invited, only when both are shown."""
        if is_suppressed(self.responded) or is_suppressed(self.invited) or not self.invited:
            return "not shown"
        return f"{percent(int(self.responded), int(self.invited))}%"


@dataclass(frozen=True)
class Reach:
    survey_round: SurveyRound
    total: ReachRow
    by_team: list[ReachRow]
    by_age_band: list[ReachRow]
    by_group: list[ReachRow]
    hidden: int  # cells hidden by disclosure control, for the key


def _add_row(
    figures: Publication, key: Hashable, people: list[Delivery], cost: float = 1.0
) -> None:
    counts = {
        "invited": len(people),
        "reached": sum(1 for p in people if p.reached),
        "responded": sum(1 for p in people if p.completed),
    }
    for measure in MEASURES:
        figures.add((key, measure), counts[measure], cost=cost)
    figures.within((key, "reached"), (key, "invited"))
    figures.within((key, "responded"), (key, "invited"))


def _split(
    figures: Publication,
    name: str,
    labels: list[str],
    people: list[Delivery],
    label_of: Callable[[Delivery], str],
) -> None:
    """Rows that share everyone out (each invitation in one row): they add up to the totals."""
    for label in labels:
        _add_row(figures, (name, label), [p for p in people if label_of(p) == label])
    for measure in MEASURES:
        figures.adds_up([((name, label), measure) for label in labels], (TOTAL, measure))


def _row(shown: Protected, key: Hashable, label: str) -> ReachRow:
    return ReachRow(label, *(shown[(key, measure)] for measure in MEASURES))


def reach(survey_round: SurveyRound) -> Reach:
    people = deliveries(survey_round)  # one statement, read-only
    figures = Publication()
    _add_row(figures, TOTAL, people, cost=50.0)

    teams = sorted({p.team for p in people}, key=lambda t: (t == "", t))
    _split(figures, "team", teams, people, lambda p: p.team)
    _split(figures, "band", BANDS, people, lambda p: BAND_LABELS.get(p.age_band, UNKNOWN))
    for group in GROUPS:
        key = ("group", group.key)
        _add_row(figures, key, [p for p in people if group.key in p.groups])
        for measure in MEASURES:
            figures.within((key, measure), (TOTAL, measure))

    shown = figures.protect()
    return Reach(
        survey_round=survey_round,
        total=_row(shown, TOTAL, "All invited"),
        by_team=[_row(shown, ("team", t), t or "Not known") for t in teams],
        by_age_band=[_row(shown, ("band", b), b) for b in BANDS],
        by_group=[_row(shown, ("group", g.key), g.label) for g in GROUPS],
        hidden=len(shown.hidden),
    )
