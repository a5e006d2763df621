"""The board-forum loop: a board meeting records its reply to what the forum asked; the reply
shows on the meeting page, on the public page ("The board said...") and in the pack, beside
the plan with each milestone's rating rolled up from its actions."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.board import pack, services
from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role, StaffUser
from forum import services as forum_services
from forum.models import BoardReply, YouSaid
from surveys.models import SurveyRound
from tests.app.board.conftest import make_round
from tests.conftest import make_staff
from tests.forum.conftest import make_action, make_item, worker

TODAY = date(2026, 6, 10)


def _meeting(app, held_on=date(2026, 6, 3)) -> int:
    with app.app_context():
        return services.save_meeting(None, {"held_on": held_on}).id


def test_a_board_reply_is_recorded_at_a_meeting_and_shown_to_young_people(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    item_id = make_item(app, "We want free bus passes")
    meeting_id = _meeting(app)
    form = client.get(f"/board/meetings/{meeting_id}/edit").text
    assert "Record the board" in form and "reply to the forum" in form

    missing = client.post(
        f"/board/meetings/{meeting_id}/replies",
        data={"reply-item_id": str(item_id), "reply-reply": ""},
    )
    assert missing.status_code == 400 and "Enter what the board said" in missing.text
    saved = client.post(
        f"/board/meetings/{meeting_id}/replies",
        data={
            "reply-item_id": str(item_id),
            "reply-ask": "Can care leavers travel free?",
            "reply-reply": "Yes, up to age 21, from September.",
            "reply-decision": "Fund bus passes for 18 to 21",
        },
    )
    assert saved.status_code == 302
    meeting_page = client.get(f"/board/meetings/{meeting_id}").text
    assert "Can care leavers travel free?" in meeting_page
    assert "Yes, up to age 21, from September." in meeting_page

    with app.app_context():
        reply = db.session.scalar(sa.select(BoardReply))
        assert (reply.board_meeting_id, reply.heard_on) == (meeting_id, date(2026, 6, 3))
        assert db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "board.reply")
        )
    # Not on the public page until the item is published.
    assert "Yes, up to age 21" not in client.get("/you-said-we-did").text
    with app.app_context():
        forum_services.publish_item(db.session.get(YouSaid, item_id), _worker())
    public = client.get("/you-said-we-did").text
    assert "The board said</strong> (June 2026): Yes, up to age 21, from September." in public


def _worker() -> StaffUser:
    return db.session.scalars(
        sa.select(StaffUser).where(StaffUser.role == Role.PARTICIPATION_WORKER.value)
    ).first()


def test_a_reply_must_be_about_an_item_from_the_list(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    meeting_id = _meeting(app)
    refused = client.post(
        f"/board/meetings/{meeting_id}/replies",
        data={"reply-item_id": "999", "reply-reply": "Yes"},
    )
    assert refused.status_code == 400 and "Choose what the forum asked about" in refused.text


def test_board_members_cannot_record_replies(app, logged_in_as):
    meeting_id = _meeting(app)
    client = logged_in_as(Role.BOARD_MEMBER)
    assert client.post(f"/board/meetings/{meeting_id}/replies", data={}).status_code == 403


def test_the_pack_has_the_plan_with_rolled_up_ratings_and_the_board_replies(app):
    worker_id = make_staff(app, Role.PARTICIPATION_WORKER, "worker@example.org")
    round_id = make_round(app, {"web": 12})
    item_id = make_item(app, "We want help with bills")
    with app.app_context():
        services.save_meeting(None, {"held_on": TODAY - timedelta(days=7)})
        forum_services.save_plan({"aims": "Care leavers feel they belong"}, worker(worker_id))
        red = forum_services.save_milestone("Housing offer agreed", TODAY + timedelta(days=90))
        achieved = forum_services.save_milestone("Forum meets monthly", TODAY)
        forum_services.update_milestone(
            achieved,
            {"title": achieved.title, "status": "achieved", "due_on": TODAY},
            worker(worker_id),
        )
        red_id = red.id
        forum_services.record_board_reply(
            db.session.get(YouSaid, item_id),
            {"reply": "We will fund a money adviser."},
            TODAY - timedelta(days=7),
            worker(worker_id),
        )
    make_action(app, item_id, worker_id, milestone_id=red_id, due_on=TODAY - timedelta(days=2))
    with app.test_request_context():
        board = services.dashboard(db.session.get(SurveyRound, round_id))
        html = pack.pack_html(board)
    assert "The New Belongings plan" in html and "Care leavers feel they belong" in html
    assert "1 red, 0 amber, 0 green, 1 achieved." in html
    assert "<td>Housing offer agreed</td>" in html and "Red: an action is red" in html
    assert "Complete: achieved" in html
    assert "The board said (3 June 2026): We will fund a money adviser." in html
