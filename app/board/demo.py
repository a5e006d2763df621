"""Fictional board demo: two Northbridge corporate parenting board meetings, the last one six
weeks ago (so "since the last board meeting" has something in it), with decisions and one thing
the board asked for, which becomes a "you said" item from the board.

Packs are not made here: a pack takes seconds, and `make run` should start at once. Prepare one
from the dashboard, or with `flask board pack nb2026`. Idempotent: if any board meeting exists,
nothing is added.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.board import services
from app.board.models import BoardMeeting, BoardRequest
from app.core import clock
from app.core.extensions import db
from forum.models import ItemSource, YouSaid


def seed_board_demo(on: date | None = None) -> None:
    if db.session.scalar(sa.select(BoardMeeting.id).limit(1)) is not None:
        return

    on = on or clock.today()
    db.session.add(
        BoardMeeting(
            held_on=on - timedelta(days=130),
            title="Corporate parenting board",
            decisions="Agree the New Belongings plan for the year\n"
            "Ask every service to name a care leaver champion",
        )
    )
    last = BoardMeeting(
        held_on=on - timedelta(days=42),
        title="Corporate parenting board",
        decisions="Support a free bus pass for care leavers up to 25\n"
        "Receive the survey results at the next meeting",
    )
    asked = "Find out how many care leavers are waiting more than six months for a flat"
    item = YouSaid(
        text=asked, topic="Housing", source=ItemSource.BOARD.value, raised_on=last.held_on
    )
    last.requests.append(BoardRequest(text=asked, item=item))
    db.session.add_all([last, item])
    db.session.commit()
    # The board's first snapshot of each round: protecting it (app.core.disclosure) takes a
    # solver some seconds, better spent now than on a board member's first page.
    for survey_round in services.rounds():
        services.analyse(survey_round)
