"""The forum and action pages over HTTP: the register, vouchers, items from themes, warnings
for past due dates and owners who have left, the board's read-only views, erasure and audit."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role, StaffUser
from forum import services
from forum.models import Action, ActionUpdate, Attendance, ForumMember, YouSaid
from tests.forum.conftest import make_action, make_item


def _member(app, name="Jordan Example", **values) -> int:
    with app.app_context():
        return services.save_member(
            None, {"name": name, "joined_on": date(2024, 1, 1), **values}
        ).id


def _meeting(app, held_on=date(2026, 3, 4)) -> int:
    with app.app_context():
        return services.save_meeting(None, {"held_on": held_on, "place": "Youth centre"}).id


def test_the_register_ticks_with_htmx_and_totals_vouchers_per_member_and_year(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    member_id = _member(app)
    first, second = _meeting(app, date(2026, 3, 4)), _meeting(app, date(2026, 6, 4))
    old = _meeting(app, date(2025, 11, 1))
    for meeting_id, amount in [(first, "10"), (second, "7.50"), (old, "20")]:
        response = client.post(
            f"/staff/forum/meetings/{meeting_id}/register/{member_id}",
            data={"present": "y", "amount": amount, "payment_type": "voucher"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert f'id="member-{member_id}"' in response.text and "Saved: came" in response.text
    page = client.get("/staff/forum/payments?year=2026").text
    assert "Jordan Example" in page and "£17.50" in page
    assert "£20.00" in client.get("/staff/forum/payments?year=2025").text

    untick = client.post(
        f"/staff/forum/meetings/{second}/register/{member_id}",
        data={"amount": "", "payment_type": "voucher"},
        headers={"HX-Request": "true"},
    )
    assert "not here" in untick.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 2

    bad = client.post(
        f"/staff/forum/meetings/{first}/register/{member_id}",
        data={"present": "y", "amount": "ten pounds", "payment_type": "voucher"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 400 and "Enter an amount in pounds" in bad.text


def test_an_item_from_a_theme_shows_its_counts_and_quotes(app, logged_in_as, theme_with_quotes):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    form = client.get(f"/staff/you-said/new?theme_id={theme_with_quotes['theme_id']}")
    assert "Not enough money at the end of the month" in form.text  # quote choices
    response = client.post(
        "/staff/you-said/new",
        data={
            "source": "theme",
            "theme_id": str(theme_with_quotes["theme_id"]),
            "meeting_id": "0",
            "text": "We run out of money",
            "topic": "",
            "quote_id": str(theme_with_quotes["public_quote"]),
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "people whose answers are coded raised it" in page  # the theme's count
    assert "Approved for public use" in page
    with app.app_context():
        item = db.session.scalar(sa.select(YouSaid))
        assert (
            item.topic == "Money and budgeting" and item.theme_id == theme_with_quotes["theme_id"]
        )


def _action_form(owner_id: int, due: date, **changes) -> dict:
    return {
        "what": "Evening drop-in",
        "owner_id": str(owner_id),
        "owner_team": "Participation team",
        "due_on": [str(due.day), str(due.month), str(due.year)],
        "status": "not_started",
        "wont_do_reason": "",
        "milestone_id": "0",
        "evidence": "",
        **changes,
    }


def test_a_past_due_date_on_a_new_action_warns_before_saving(app, logged_in_as, worker_id):
    client = logged_in_as(Role.ADMIN)
    item_id = make_item(app)
    past = date.today() - timedelta(days=3)
    warned = client.post(
        f"/staff/you-said/{item_id}/actions/new", data=_action_form(worker_id, past)
    )
    assert warned.status_code == 200
    assert "is in the past. Check it is right" in warned.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 0
    confirmed = client.post(
        f"/staff/you-said/{item_id}/actions/new",
        data={**_action_form(worker_id, past), "confirm_past": "y"},
    )
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Action.due_on)) == past


def test_an_owner_who_has_left_is_flagged_for_reassignment(app, logged_in_as, worker_id):
    client = logged_in_as(Role.ADMIN)
    action_id = make_action(app, make_item(app), worker_id)
    with app.app_context():
        db.session.get(StaffUser, worker_id).is_enabled = False
        db.session.commit()
    tracker = client.get("/staff/actions").text
    assert "Has left: reassign" in tracker
    only = client.get("/staff/actions?needs_owner=1").text
    assert f'id="action-{action_id}"' in only
    page = client.get(f"/staff/actions/{action_id}").text
    assert "Has left: choose a new owner" in page


def test_wont_do_needs_a_reason_and_done_clears_a_hand_rating(app, worker_id):
    action_id = make_action(app, make_item(app), worker_id)
    with app.app_context():
        action = db.session.get(Action, action_id)
        actor = db.session.get(StaffUser, worker_id)
        try:
            services.set_status(action, action.version, "wont_do", actor)
        except services.ActionInvalid as exc:
            assert "Say why" in str(exc)
        else:  # pragma: no cover
            raise AssertionError("won't do without a reason was accepted")
        services.override_rating(action, action.version, "red", "Budget at risk", actor)
        assert action.rag_override == "red"
        services.set_status(action, action.version, "done", actor)
        assert action.rag_override is None and action.completed_on == date.today()
        assert action.updates[0].text == "Status changed to done"


def test_the_board_reads_the_tracker_and_since_view_without_edit_forms_or_member_details(
    app, logged_in_as, worker_id
):
    action_id = make_action(app, make_item(app), worker_id)
    _member(app, "Casey Fictional", phone="07700900999")
    client = logged_in_as(Role.BOARD_MEMBER)
    tracker = client.get("/staff/actions")
    assert tracker.status_code == 200
    assert "Run a money workshop every month" in tracker.text
    assert "/status" not in tracker.text and f'/staff/actions/{action_id}"' not in tracker.text
    since = client.get("/staff/actions/since?since=2020-01-01")
    assert since.status_code == 200 and "New actions (1)" in since.text
    assert "Casey" not in since.text and "07700900999" not in since.text
    assert client.get("/staff/forum").status_code == 403
    assert client.post(f"/staff/actions/{action_id}/status", data={}).status_code == 403
    bad_date = client.get("/staff/actions/since?since=yesterday")
    assert bad_date.status_code == 200
    assert "Showing changes since the last board meeting" in bad_date.text


def test_viewing_a_member_is_audited_and_erasure_keeps_the_totals(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    member_id = _member(app, "Robin Fictional", phone="07700900321", date_of_birth=date(2003, 1, 2))
    meeting_id = _meeting(app)
    with app.app_context():
        services.set_attendance(
            services.get_meeting(meeting_id),
            services.get_member(member_id),
            present=True,
            payment_pence=1000,
            payment_type="voucher",
        )
    assert "Robin Fictional" in client.get(f"/staff/forum/members/{member_id}").text
    with app.app_context():
        views = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "forum.member.view")
        )
        assert views == 1
    assert client.post(f"/staff/forum/members/{member_id}/erase").status_code == 302
    with app.app_context():
        member = db.session.get(ForumMember, member_id)
        assert (member.phone, member.date_of_birth, member.erased_on) == ("", None, date.today())
        assert "Robin" not in member.name
        assert services.payment_totals(2026)[0].pence == 1000
    assert client.get(f"/staff/forum/members/{member_id}").status_code == 404


def test_members_turning_25_are_listed_as_moving_on(app):
    born = date.today().replace(year=date.today().year - 25) + timedelta(days=30)
    _member(app, "Alex Soon", date_of_birth=born)
    _member(app, "Sam Later", date_of_birth=date(date.today().year - 19, 1, 1))
    with app.app_context():
        assert [m.name for m, _ in services.moving_on()] == ["Alex Soon"]


def test_a_progress_note_of_only_spaces_is_refused_with_a_message_not_a_500(
    app, logged_in_as, worker_id
):
    client = logged_in_as(Role.ADMIN)
    action_id = make_action(app, make_item(app), worker_id)
    refused = client.post(f"/staff/actions/{action_id}/progress", data={"text": "   \n "})
    assert refused.status_code == 302
    assert "Write what has happened" in client.get(refused.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ActionUpdate.id))) == 0
    added = client.post(f"/staff/actions/{action_id}/progress", data={"text": "Room booked"})
    assert "Progress update added" in client.get(added.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(ActionUpdate.text)) == "Room booked"
