"""Paper tests key serials from a batch already printed: a serial never printed is refused."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from surveys.models import SurveyRound
from surveys.paper.services import allocate_serials
from tests.surveys.conftest import make_open_round

PRINTED = 50


@pytest.fixture
def round_id(app) -> int:
    """An open round with serials 1 to 50 printed."""
    found = make_open_round(app)
    with app.app_context():
        allocate_serials(db.session.get(SurveyRound, found), PRINTED)
    return found


@pytest.fixture
def unprinted_round_id(app) -> int:
    """An open round with no paper forms printed yet."""
    return make_open_round(app)
