"""The audit log records who did what, cannot be rewritten, and admins can filter it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.audit.services import record
from app.staff.auth.models import Role


def test_changes_are_recorded_with_who_did_them(app, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    admin.post("/admin/settings/pages/cookies", data={"text": "Only essential cookies."})
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "settings.page_update")
        )
        assert event.actor_label == "admin@example.org"
        assert event.detail == "cookies"
        assert event.at is not None


def test_rows_cannot_be_updated_or_deleted_even_with_raw_sql(app):
    with app.app_context():
        record("test.event", object_type="Thing", object_id=1, actor_label="system")
        db.session.commit()
        for statement in ("UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.select(AuditEvent.action)) == "test.event"


def test_the_orm_refuses_to_change_an_event(app):
    with app.app_context():
        event = record("test.event", actor_label="system")
        db.session.commit()
        event.action = "changed"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()


def test_admin_filters_the_log(app, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    with app.app_context():
        record("user.create", object_type="StaffUser", object_id=7, actor_label="someone@x.org")
        record(
            "settings.update",
            object_type="AuthoritySettings",
            object_id=1,
            actor_label="other@x.org",
        )
        db.session.commit()
    everything = admin.get("/admin/audit")
    assert "user.create" in everything.text and "settings.update" in everything.text
    filtered = admin.get("/admin/audit?action=user.create&actor=someone")
    assert "someone@x.org" in filtered.text and "other@x.org" not in filtered.text


def test_htmx_filter_returns_only_the_results_fragment(app, logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    partial = admin.get("/admin/audit?action=sign_in.success", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and "sign_in.success" in partial.text
    assert "HX-Request" in partial.headers["Vary"]


def test_bad_filter_dates_do_not_break_the_page(logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    response = admin.get("/admin/audit?date_from=31-02-2026&date_to=never&page=-4")
    assert response.status_code == 200
    assert "could not be used" in response.text
