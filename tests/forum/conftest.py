"""Fixtures for forum tests: a coded survey theme with quotes, items and actions."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.extensions import db
from app.staff.auth.models import Role, StaffUser
from forum import services
from forum.models import YouSaid
from surveys.models import SurveyRound
from surveys.themes.models import Quote
from tests.conftest import make_staff
from tests.surveys.themes.helpers import answer_ids, round_with_answers, theme_id


@pytest.fixture
def worker_id(app) -> int:
    return make_staff(app, Role.PARTICIPATION_WORKER, "worker@example.org")


def worker(worker_id: int) -> StaffUser:
    return db.session.get(StaffUser, worker_id)


@pytest.fixture
def theme_with_quotes(app, worker_id):
    """A round coded 'money', with one quote approved for public use and one for the board."""
    round_id = round_with_answers(
        app, ["Not enough money at the end of the month", "Paying bills is hard"]
    )
    money = theme_id(app, round_id, "money")
    ids = answer_ids(app, round_id)
    with app.app_context():
        public = Quote(
            round_id=round_id,
            answer_id=ids[0],
            part=0,
            theme_id=money,
            text="Not enough money at the end of the month",
            audience="public",
            approved_by_id=worker_id,
        )
        board = Quote(
            round_id=round_id,
            answer_id=ids[1],
            part=0,
            theme_id=money,
            text="Paying bills is hard",
            audience="board",
            approved_by_id=worker_id,
        )
        db.session.add_all([public, board])
        db.session.commit()
        return {
            "round_id": round_id,
            "theme_id": money,
            "public_quote": public.id,
            "board_quote": board.id,
        }


def make_item(app, text="We want help with bills", **values) -> int:
    with app.app_context():
        item = services.save_item(None, {"source": "other", "text": text, **values})
        return item.id


def make_action(app, item_id: int, worker_id: int, **values) -> int:
    with app.app_context():
        item = db.session.get(YouSaid, item_id)
        action = services.create_action(
            item,
            {
                "what": "Run a money workshop every month",
                "owner_id": worker_id,
                "owner_team": "Leaving care team",
                "due_on": date(2030, 1, 31),
                **values,
            },
            worker(worker_id),
        )
        return action.id


def round_name(app, round_id) -> str:
    with app.app_context():
        return db.session.get(SurveyRound, round_id).name
