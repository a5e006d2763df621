"""The screening list's version comes with the webhook's first statement; an admin's edit
between two texts is used by the very next one (the cache is never newer than the list)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.core.clock import utcnow
from app.core.extensions import db
from surveys.safeguarding import services
from surveys.safeguarding.models import ScreeningRule
from tests.surveys.sms.test_disclosure_outside_a_survey import round_id  # noqa: F401
from tests.surveys.sms.twilio_fakes import Phone, twilio_app  # noqa: F401

RULE = {"key": "zz-purple", "category": "self_harm_suicide", "kind": "pattern"}


def test_a_rule_added_or_disabled_between_two_texts_is_used_by_the_next(app, client, round_id):  # noqa: F811
    Phone(client, "+447700900001").say("hello")  # builds the process's cache
    with time_machine.travel(utcnow() + timedelta(minutes=5), tick=False):
        with app.app_context():
            services.save_rule(None, **RULE, text="purple elephant", exclude="", enabled=True)
        assert "116 123" in Phone(client, "+447700900002").say("purple elephant")
    with time_machine.travel(utcnow() + timedelta(minutes=10), tick=False):
        with app.app_context():
            rule = db.session.scalar(sa.select(ScreeningRule).filter_by(key="zz-purple"))
            services.save_rule(rule, **RULE, text="purple elephant", exclude="", enabled=False)
        assert "116 123" not in Phone(client, "+447700900003").say("purple elephant")
