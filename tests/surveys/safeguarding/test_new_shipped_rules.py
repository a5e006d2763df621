"""A rule added to the shipped screening list reaches an install whose list is already in its
database: the list is copied only into an empty table, so before, a new rule (like the one for
"i want to drink bleach") never screened anything on a council already running."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from surveys.safeguarding import services
from surveys.safeguarding.models import SafeguardingFlag, ScreeningRule
from tests.surveys.conftest import SLUG

BASE = f"/s/{SLUG}"


def test_a_newly_shipped_rule_screens_answers_on_an_install_that_had_the_list(
    app, client, round_id, monkeypatch
):
    client.post(f"{BASE}/start")
    with app.app_context():
        services.seed_rules()  # the install's list, as an earlier version shipped it...
        db.session.execute(sa.delete(ScreeningRule).where(ScreeningRule.key == "swallow-poison"))
        edited = db.session.scalar(sa.select(ScreeningRule).where(ScreeningRule.key == "cutting"))
        edited.exclude = "cutting myself"  # ...and a rule its admin has changed
        db.session.commit()
    monkeypatch.setitem(services._cache, "seeded", None)  # the workers start on the new version
    answer = client.post(
        f"{BASE}/q/Q7", data={"action": "answer", "text": "i want to drink bleach"}
    )
    assert "/help" in answer.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SafeguardingFlag.id))) == 1
        kept = db.session.scalar(sa.select(ScreeningRule).where(ScreeningRule.key == "cutting"))
        assert kept.exclude == "cutting myself"  # the admin's change stands
