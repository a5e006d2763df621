"""A board member who asked for a pack is told on their next page when it is ready: once, with
the links to it, and nobody else is told (app/board/pack_ready.py)."""

from __future__ import annotations

from datetime import date

from app.board import services
from app.staff.auth.models import Role
from tests.app.board.conftest import make_round

BANNER = "Your pack is ready"


def test_the_next_page_says_the_pack_is_ready_once(app, logged_in_as, job_queue):
    make_round(app, {"web": 20})
    with app.app_context():
        meeting_id = services.save_meeting(None, {"held_on": date(2026, 6, 24)}).id
    member = logged_in_as(Role.BOARD_MEMBER)
    asked = member.post(f"/board/meetings/{meeting_id}/request-pack")
    pack_id = int(asked.headers["Location"].rstrip("/").rsplit("/", 1)[-1])

    assert BANNER not in member.get("/board").text  # still being made
    assert job_queue() == 1

    page = member.get(f"/board/meetings/{meeting_id}").text
    assert BANNER in page
    assert (
        "The pack you asked for, for the Corporate parenting board meeting on 24 June 2026" in page
    )
    assert f'href="/board/packs/{pack_id}/pdf"' in page
    assert f'href="/board/packs/{pack_id}/xlsx"' in page
    assert member.get(f"/board/packs/{pack_id}/pdf").status_code == 200
    assert BANNER not in member.get("/board").text  # told once

    other = logged_in_as(Role.PARTICIPATION_WORKER)
    assert BANNER not in other.get("/board").text
