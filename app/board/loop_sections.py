"""What the board-forum loop (issue 23) adds to the board pack and the dashboard, gathered in
one call each so the shared pack and dashboard code stay untouched but for that call.

The pack gains the front page (after the cover), the forum's own view of each action beside the
staff's rating (in the actions section) and the schedule of forum presentations; the dashboard
gains the front page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.board import front_page
from app.board.services import Dashboard
from forum import monitoring, presentations


@dataclass
class ForumViewRow:
    topic: str
    what: str
    rating: str  # the staff's rating, in words
    review: monitoring.ActionReview


def forum_views(board: Dashboard) -> list[ForumViewRow]:
    """The forum's latest answer about each action in the pack, beside the staff's rating."""
    latest = monitoring.latest_reviews([row["id"] for row in board.actions.rows])
    return [
        ForumViewRow(row["topic"], row["what"], row["rating"], latest[row["id"]])
        for row in board.actions.rows
        if row["id"] in latest
    ]


def pack_context(board: Dashboard) -> dict[str, Any]:
    return {
        "front": front_page.view(board),
        "forum_views": forum_views(board),
        "presentations": presentations.schedule(board.on),
    }


def dashboard_context(board: Dashboard | None) -> dict[str, Any]:
    return {"front": front_page.view(board) if board is not None else None}
