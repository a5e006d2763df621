"""The red / amber / green rating of an action, worked out from its status and dates.

Rules, in order (``today`` is passed in, so tests pin it):
1. Won't do -> "none" (grey), label "Won't do". Not a failure to deliver: the reason is shown.
2. Done -> green, label "Done". Done after the due date -> still green, with the note
   "done late", because the board should see that it slipped but it is no longer a risk.
3. No due date -> amber, "No due date": an action without a date cannot be held to account.
4. Due date passed -> red, "Overdue".
5. Due within DUE_SOON_DAYS (14) and not started -> amber, "Due soon, not started".
6. Otherwise -> green, "On track".

Override: a worker may set red, amber or green by hand, with a reason (refused without one).
It applies only while the action is open (not started or in progress): once an action is done or
won't be done, the rules above decide, and services clear the override. An overridden rating is
always shown as such ("set by hand", with the reason and the rating the rules would give).

Milestones (the plan) roll up from their linked actions, in order -- the one statement of the
rule, ``milestone_rag``:
1. Achieved -> blue, "achieved" (complete: no longer rated).
2. Red, "overdue" if the milestone's own due date has passed; red, "an action is red" if any
   linked action's rating (as shown, overrides included) is red.
3. Amber, with the first reason that applies: "no actions linked" (no linked action that is
   not "won't do": nothing is being done towards it), "an action is amber", "no due date",
   "due soon" (due within DUE_SOON_DAYS).
4. Otherwise green, "on track".
Won't-do actions (grey) neither help nor harm a milestone.

Colour never carries the meaning alone: every rating has a text label, and templates print the
label inside the coloured tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DUE_SOON_DAYS = 14
RATINGS = ("red", "amber", "green")
RATING_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "none": "None",
    "blue": "Complete",
}
TAG_CLASSES = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--yellow",
    "green": "govuk-tag--green",
    "none": "govuk-tag--grey",
    "blue": "govuk-tag--blue",
}

OPEN = ("not_started", "in_progress")


class OverrideInvalid(ValueError):
    """An override without a reason, or with a rating we do not know."""


@dataclass(frozen=True)
class Rating:
    colour: str  # red, amber, green or none (blue: an achieved milestone)
    label: str  # what it means, in words
    note: str = ""  # e.g. "done late"
    overridden: bool = False
    reason: str = ""  # the override's reason
    derived: Rating | None = None  # what the rules say, when overridden

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.colour]

    @property
    def text(self) -> str:
        """The label a reader sees, e.g. 'Red: overdue' or 'Amber: set by hand'."""
        return f"{RATING_LABELS[self.colour]}: {self.label}"


def derived_rag(status: str, due_on: date | None, completed_on: date | None, today: date) -> Rating:
    if status == "wont_do":
        return Rating("none", "won't do")
    if status == "done":
        late = due_on is not None and completed_on is not None and completed_on > due_on
        return Rating("green", "done", "done late" if late else "")
    if due_on is None:
        return Rating("amber", "no due date")
    if today > due_on:
        return Rating("red", "overdue")
    if status == "not_started" and (due_on - today).days <= DUE_SOON_DAYS:
        return Rating("amber", "due soon, not started")
    return Rating("green", "on track")


def check_override(colour: str | None, reason: str) -> None:
    if colour is None:
        return
    if colour not in RATINGS:
        raise OverrideInvalid("Choose red, amber or green")
    if not (reason or "").strip():
        raise OverrideInvalid("Say why you are changing the rating")


def rag(
    status: str,
    due_on: date | None,
    completed_on: date | None,
    today: date,
    override: tuple[str, str] | None = None,
) -> Rating:
    """The rating to show. ``override`` is (colour, reason), or None."""
    derived = derived_rag(status, due_on, completed_on, today)
    if override is None or override[0] is None or status not in OPEN:
        return derived
    colour, reason = override
    check_override(colour, reason)
    return Rating(colour, "set by hand", overridden=True, reason=reason.strip(), derived=derived)


def rag_for(action, today: date) -> Rating:
    """The rating of an Action row."""
    override = (action.rag_override, action.rag_override_reason) if action.rag_override else None
    return rag(action.status, action.due_on, action.completed_on, today, override)


def milestone_rag(
    status: str, due_on: date | None, action_ratings: list[Rating], today: date
) -> Rating:
    """A milestone's rating, rolled up from its linked actions' ratings (module docstring)."""
    if status == "achieved":
        return Rating("blue", "achieved")
    counted = [r.colour for r in action_ratings if r.colour != "none"]
    if due_on is not None and today > due_on:
        return Rating("red", "overdue")
    if "red" in counted:
        return Rating("red", "an action is red")
    if not counted:
        return Rating("amber", "no actions linked")
    if "amber" in counted:
        return Rating("amber", "an action is amber")
    if due_on is None:
        return Rating("amber", "no due date")
    if (due_on - today).days <= DUE_SOON_DAYS:
        return Rating("amber", "due soon")
    return Rating("green", "on track")
