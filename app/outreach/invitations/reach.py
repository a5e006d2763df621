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
- Disclosure control (app/core/disclosure.py, the one rule): teams and bands add up to the
  totals, reached and responded sit within invited, every row within the totals. Counts of 1 to
  4 read "fewer than 5", and the solver hides more cells until no hidden cell can be worked out
  from the totals and the other rows.
- One publication with the response-rate dashboard. The dashboard shows the same totals
  (invited, reached, "invitations marked completed") and the same teams' invited and reached.
  Protected apart, the two pages hid different cells, and the dashboard's total gave a team's
  hidden "answered" away by subtraction (tests/app/outreach/invitations/
  test_reach_across_pages.py). So these rows are added (``add_rows``) to the dashboard's own
  ``Publication`` under the dashboard's keys for the figures both show (``key``), protected
  once, and both pages read the one result: the reach page is ``dashboard(round).reach``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from app.core.disclosure import Protected, Publication, is_suppressed
from app.outreach.contacts.groups import GROUPS
from app.outreach.invitations.services import Delivery
from surveys.age_bands import AGE_BANDS, UNKNOWN
from surveys.models import SurveyRound
from surveys.response_rate import percent

Shown = int | str  # a count, "fewer than 5" or "hidden to protect privacy"
MEASURES = ("invited", "reached", "responded")
TOTAL = ("total",)
# The figures the response-rate dashboard shows too, under its keys (one figure, one key).
HEADLINE_KEYS = {
    "invited": ("headline", "invited"),
    "reached": ("headline", "reached"),
    "responded": ("headline", "completed"),  # "invitations marked completed"
}
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


def key(row: Hashable, measure: str) -> Hashable:
    """Where a row's figure lives in the publication: the totals and the teams are the
    dashboard's figures, so they share its keys."""
    if row == TOTAL:
        return HEADLINE_KEYS[measure]
    if isinstance(row, tuple) and row[0] == "team":
        return ("team", row[1], measure)
    return (row, measure)


def _add_row(
    figures: Publication, row: Hashable, people: list[Delivery], cost: float = 1.0
) -> list[Hashable]:
    counts = {
        "invited": len(people),
        "reached": sum(1 for p in people if p.reached),
        "responded": sum(1 for p in people if p.completed),
    }
    keys = [figures.add(key(row, measure), counts[measure], cost=cost) for measure in MEASURES]
    figures.within(key(row, "reached"), key(row, "invited"))
    figures.within(key(row, "responded"), key(row, "invited"))
    return keys


def _split(
    figures: Publication,
    name: str,
    labels: list[str],
    people: list[Delivery],
    label_of: Callable[[Delivery], str],
) -> list[Hashable]:
    """Rows that share everyone out (each invitation in one row): they add up to the totals."""
    keys = []
    for label in labels:
        keys += _add_row(figures, (name, label), [p for p in people if label_of(p) == label])
    for measure in MEASURES:
        figures.adds_up([key((name, label), measure) for label in labels], key(TOTAL, measure))
    return keys


def _teams(people: list[Delivery]) -> list[str]:
    return sorted({p.team for p in people}, key=lambda t: (t == "", t))


def add_rows(figures: Publication, people: list[Delivery]) -> list[Hashable]:
    """Put the page's figures into ``figures`` (the dashboard's publication); return their keys."""
    keys = _add_row(figures, TOTAL, people, cost=50.0)
    keys += _split(figures, "team", _teams(people), people, lambda p: p.team)
    keys += _split(figures, "band", BANDS, people, lambda p: BAND_LABELS.get(p.age_band, UNKNOWN))
    for group in GROUPS:
        row = ("group", group.key)
        keys += _add_row(figures, row, [p for p in people if group.key in p.groups])
        for measure in MEASURES:
            figures.within(key(row, measure), key(TOTAL, measure))
    return keys


def _row(shown: Protected, row: Hashable, label: str) -> ReachRow:
    return ReachRow(label, *(shown[key(row, measure)] for measure in MEASURES))


def read(
    shown: Protected, keys: list[Hashable], survey_round: SurveyRound, people: list[Delivery]
) -> Reach:
    """The page from the protected publication ``add_rows`` went into."""
    teams = _teams(people)
    return Reach(
        survey_round=survey_round,
        total=_row(shown, TOTAL, "All invited"),
        by_team=[_row(shown, ("team", t), t or "Not known") for t in teams],
        by_age_band=[_row(shown, ("band", b), b) for b in BANDS],
        by_group=[_row(shown, ("group", g.key), g.label) for g in GROUPS],
        hidden=sum(1 for k in set(keys) if is_suppressed(shown[k])),
    )
