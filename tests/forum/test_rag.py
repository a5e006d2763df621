"""The RAG rating on date fixtures, and the override rule (forum/rag.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forum.rag import DUE_SOON_DAYS, OverrideInvalid, rag

TODAY = date(2026, 11, 23)
DUE = TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    ("status", "due_on", "completed_on", "colour", "label", "note"),
    [
        ("not_started", DUE, None, "green", "on track", ""),
        ("in_progress", DUE, None, "green", "on track", ""),
        # Due soon: within 14 days and not started is amber; started is on track.
        (
            "not_started",
            TODAY + timedelta(days=DUE_SOON_DAYS),
            None,
            "amber",
            "due soon, not started",
            "",
        ),
        ("not_started", TODAY + timedelta(days=DUE_SOON_DAYS + 1), None, "green", "on track", ""),
        ("not_started", TODAY, None, "amber", "due soon, not started", ""),
        ("in_progress", TODAY + timedelta(days=3), None, "green", "on track", ""),
        # Overdue: the day after the due date, whatever the open status.
        ("not_started", TODAY - timedelta(days=1), None, "red", "overdue", ""),
        ("in_progress", TODAY - timedelta(days=60), None, "red", "overdue", ""),
        # Done on time, done late: both green; late says so.
        ("done", DUE, TODAY, "green", "done", ""),
        ("done", TODAY - timedelta(days=10), TODAY - timedelta(days=10), "green", "done", ""),
        (
            "done",
            TODAY - timedelta(days=10),
            TODAY - timedelta(days=2),
            "green",
            "done",
            "done late",
        ),
        # Won't do: no rating (grey), whatever the dates.
        ("wont_do", TODAY - timedelta(days=10), None, "none", "won't do", ""),
        # No due date cannot be held to account.
        ("in_progress", None, None, "amber", "no due date", ""),
    ],
)
def test_rating_from_status_and_dates(status, due_on, completed_on, colour, label, note):
    rating = rag(status, due_on, completed_on, TODAY)
    assert (rating.colour, rating.label, rating.note) == (colour, label, note)
    assert not rating.overridden
    assert rating.text.lower().startswith(colour if colour != "none" else "none")


def test_every_rating_carries_words_not_only_a_colour():
    for status, due in [
        ("not_started", TODAY - timedelta(days=1)),
        ("done", DUE),
        ("wont_do", DUE),
    ]:
        rating = rag(status, due, TODAY, TODAY)
        assert ":" in rating.text and rating.label in rating.text
        assert rating.tag_class.startswith("govuk-tag--")


def test_an_override_needs_a_reason():
    with pytest.raises(OverrideInvalid, match="Say why"):
        rag("in_progress", TODAY - timedelta(days=5), None, TODAY, ("green", "  "))
    with pytest.raises(OverrideInvalid, match="Choose red, amber or green"):
        rag("in_progress", DUE, None, TODAY, ("purple", "because"))


def test_an_override_is_shown_as_overridden_with_what_the_rules_say():
    rating = rag(
        "in_progress", TODAY - timedelta(days=5), None, TODAY, ("amber", "New date agreed by board")
    )
    assert (rating.colour, rating.overridden) == ("amber", True)
    assert rating.text == "Amber: set by hand"
    assert rating.reason == "New date agreed by board"
    assert (rating.derived.colour, rating.derived.label) == ("red", "overdue")


@pytest.mark.parametrize("status", ["done", "wont_do"])
def test_an_override_does_not_apply_once_the_action_is_closed(status):
    rating = rag(status, DUE, TODAY, TODAY, ("red", "We are worried"))
    assert not rating.overridden
    assert rating.colour == ("green" if status == "done" else "none")
