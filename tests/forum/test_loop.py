"""The forum's side of the board-forum loop (issue 23): its own monitoring of each action,
recorded at a forum meeting and shown beside the staff's rating; the schedule of its
presentations to the board; and board replies passed on to young people who asked to hear."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from app.board import services as board_services
from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.staff.auth.models import Role, StaffUser
from forum import services
from forum.models import BoardReply, UpdateNotice
from forum.monitoring import ActionReview
from surveys.models import ContactRequest
from tests.forum.conftest import make_action, make_item
from tests.surveys.conftest import make_open_round


def _forum_meeting(app, held_on=date(2026, 6, 1)) -> int:
    with app.app_context():
        return services.save_meeting(
            None, {"held_on": held_on, "place": "Youth centre", "online": False}
        ).id


def _worker_id(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(StaffUser.id).where(StaffUser.email == "participation_worker@example.org")
        )


def test_the_forum_says_whether_an_action_happened_and_it_shows_beside_the_rating(
    app, logged_in_as
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    action_id = make_action(app, make_item(app), _worker_id(app))
    meeting_id = _forum_meeting(app)
    page = client.get(f"/staff/forum/meetings/{meeting_id}").text
    assert "What the forum thinks of our actions" in page

    refused = client.post(
        f"/staff/forum/meetings/{meeting_id}/reviews",
        data={"review-action_id": str(action_id), "review-happened": ""},
    )
    assert refused.status_code == 400
    assert "Say whether the forum thinks it happened" in refused.text

    data = {
        "review-action_id": str(action_id),
        "review-happened": "partly",
        "review-satisfaction": "2",
        "review-comments": "Only one workshop so far",
    }
    assert client.post(f"/staff/forum/meetings/{meeting_id}/reviews", data=data).status_code == 302
    # Recording it again at the same meeting corrects it, never a second answer.
    data["review-satisfaction"] = "3"
    client.post(f"/staff/forum/meetings/{meeting_id}/reviews", data=data)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ActionReview.id))) == 1

    tracker = client.get("/staff/actions").text
    assert "Forum said (1 Jun 2026): happened? Partly; neither happy nor unhappy (3 out of 5)" in (
        tracker
    )
    action_page = client.get(f"/staff/actions/{action_id}").text
    assert "Only one workshop so far" in action_page
    assert "Satisfied? Neither happy nor unhappy (3 out of 5)" in action_page

    later = _forum_meeting(app, date(2026, 6, 8))
    data.update({"review-happened": "yes", "review-satisfaction": "5"})
    client.post(f"/staff/forum/meetings/{later}/reviews", data=data)
    tracker = client.get("/staff/actions").text
    assert "Forum said (8 Jun 2026): happened? Yes; very happy (5 out of 5)" in tracker
    action_page = client.get(f"/staff/actions/{action_id}").text
    assert action_page.index("8 June 2026") < action_page.index("1 June 2026")  # newest first


def test_presentations_to_the_board_are_scheduled_and_shown_to_the_board(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    missing = client.post(
        "/staff/forum/presentations",
        data={"presents_on": ["3", "7", "2026"]},
    )
    assert missing.status_code == 400 and "Enter what the forum will present" in missing.text
    saved = client.post(
        "/staff/forum/presentations",
        data={
            "presents_on": ["3", "7", "2026"],
            "meeting": "Corporate parenting board",
            "topic": "Our survey results",
            "presenters": "Chair and two members",
        },
    )
    assert saved.status_code == 302
    for url in ("/staff/forum", "/board/meetings"):
        page = client.get(url).text
        assert "The forum presents to the board" in page
        assert "3 July 2026" in page and "Our survey results" in page, url
        assert "Chair and two members" in page


def test_a_board_reply_goes_to_young_people_who_asked_through_the_update_confirm_step(
    app, logged_in_as
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    round_id = make_open_round(app)
    item_id = make_item(app, "We want free bus passes")
    with app.app_context():
        db.session.add(
            ContactRequest(
                round_id=round_id, kind="updates", name="A", phone="+447700900101", consent=True
            )
        )
        db.session.commit()
        meeting = board_services.save_meeting(None, {"held_on": date(2026, 6, 3)})
        meeting_id = meeting.id
        reply = board_services.add_reply(
            meeting,
            {"item_id": item_id, "reply": "Yes, up to age 21, from September."},
            _staff(),
        )
        reply_id = reply.id
    meeting_page = client.get(f"/board/meetings/{meeting_id}").text
    assert f"/staff/you-said/send-update?reply={reply_id}" in meeting_page

    form = client.get(f"/staff/you-said/send-update?reply={reply_id}").text
    assert "This update passes on what the corporate parenting board said" in form
    draft = "The board said: Yes, up to age 21, from September."
    assert draft in form
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\s*([^<]*)</textarea>', form).group(1)

    check = client.post(
        "/staff/you-said/send-update", data={"body": body, "board_reply": str(reply_id)}
    )
    assert check.status_code == 200 and "Check the update" in check.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 0  # not yet
    token = re.search(r'name="confirm_token" value="([^"]+)"', check.text).group(1)
    sent = client.post(
        "/staff/you-said/send-update",
        data={"body": body, "board_reply": str(reply_id), "confirm_token": token},
    )
    assert sent.status_code == 302
    with app.app_context():
        notice = db.session.scalar(sa.select(UpdateNotice))
        assert notice.board_reply_id == reply_id and notice.texts_queued == 1
        text = db.session.scalar(sa.select(OutboundMessage))
        assert draft in text.body
        assert db.session.get(BoardReply, reply_id) is not None
    assert (
        "Sent to young people who asked to hear" in client.get(f"/board/meetings/{meeting_id}").text
    )


def _staff() -> StaffUser:
    return db.session.scalar(
        sa.select(StaffUser).where(StaffUser.email == "participation_worker@example.org")
    )
