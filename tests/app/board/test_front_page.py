"""The board's front page (issue 23): drafted from the best and worst things through disclosure
control, a draft until saved (then who saved it and when), the decisions asked for, whether the
round is still open; first in the pack after the cover. And a board member asks for the pack
for their meeting: a job makes it, no duplicate for unchanged data, a limit per day."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from pypdf import PdfReader

from app.board import front_page, pack, pack_requests, services
from app.board.services import ChartBlock, Table
from app.core import clock, jobs
from app.core.disclosure import fewer_than
from app.core.extensions import db
from app.staff.auth.models import Role, StaffUser
from forum import presentations
from surveys.models import RoundStatus, SurveyRound
from surveys.services import round_by_slug
from tests.app.board.conftest import make_round


def _chart(code: str, rows: list[list], takeaway: str = "") -> ChartBlock:
    return ChartBlock(f"themes-{code}", "t", takeaway, "", "", Table("c", ["Theme"], rows))


def test_a_draft_names_only_themes_shown_and_says_came_up_most_only_when_ranked():
    ranked = SimpleNamespace(
        theme_charts=[
            _chart(
                "Q4",
                [
                    ["Own place", 12, "30%"],
                    ["My PA", 8, "20%"],
                    ["Pets", 5, "13%"],
                    ["Money", 5, "13%"],
                ],
            )
        ]
    )
    assert front_page._draft(ranked, "Q4", "best things").splitlines() == [
        "What care leavers named most often as the best things:",
        "Own place (30% of those whose answers are coded)",
        "My PA (20% of those whose answers are coded)",
        "Pets (13% of those whose answers are coded)",
    ]
    hidden = "hidden to protect privacy"
    unranked = SimpleNamespace(
        theme_charts=[
            _chart(
                "Q5",
                [
                    ["Money", 9, "22%"],
                    ["Loneliness", hidden, hidden],
                    ["Bills", fewer_than(), fewer_than()],
                ],
                "Provisional: 60% of the answers to Q5 are coded so far.",
            )
        ]
    )
    draft = front_page._draft(unranked, "Q5", "worst things")
    assert "Money (22%" in draft and "Loneliness" not in draft and "Bills" not in draft
    assert "most often" not in draft and "we do not say which came up most" in draft
    assert "Not every answer is coded yet" in draft
    assert front_page._draft(unranked, "Q4", "best things") == ""


def _worker_name(app) -> str:
    with app.app_context():
        return db.session.scalar(
            sa.select(StaffUser.name).where(StaffUser.email == "participation_worker@example.org")
        )


def test_a_draft_is_marked_until_a_worker_saves_it_with_the_decisions(app, logged_in_as):
    round_id = make_round(app, {"web": 20})
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        survey_round.status = RoundStatus.OPEN.value
        survey_round.closes_on = clock.today() + timedelta(days=10)
        db.session.commit()
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    board = client.get(f"/board?round={round_id}").text
    assert "Front page" in board and "Draft" in board
    assert "a suggestion until the participation team saves it" in board
    assert "The survey is still open: these figures may change." in board
    assert "have not been coded into themes yet" in board

    form = client.get(f"/board/front-page?round={round_id}")
    assert form.status_code == 200 and "Decisions the board is asked to make" in form.text
    saved = client.post(
        f"/board/front-page?round={round_id}",
        data={
            "working_well": "Young people like their PAs",
            "to_improve": "Money runs out\nWaiting for a flat",
            "decisions": "Agree a bus pass to 25\nFund a drop-in hub",
        },
    )
    assert saved.status_code == 302
    board = client.get(f"/board?round={round_id}").text
    assert f"Saved by {_worker_name(app)}" in board and "a suggestion until" not in board
    assert "<li>Waiting for a flat</li>" in board and "<li>Fund a drop-in hub</li>" in board

    with app.test_request_context():
        html = pack.pack_html(services.dashboard(db.session.get(SurveyRound, round_id)))
    assert html.index('id="front-page"') < html.index('id="contents"')
    assert "The survey is still open: these figures may change." in html
    assert "Agree a bus pass to 25" in html


def test_the_demo_pack_opens_with_the_front_page_drafted_from_the_themes(demo):
    app = demo
    with app.test_request_context():
        survey_round = round_by_slug("nb2026")
        board = services.dashboard(survey_round)
        view = front_page.view(board)
        best = next(c for c in board.theme_charts if c.key == "themes-Q4")
        job, _ = pack.request_pack(survey_round)
        done = pack.build_pack(job.id)
        pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(done.pdf)).pages]
    assert view.saved is not None and view.decisions
    top = max((r for r in best.table.rows if isinstance(r[1], int)), key=lambda r: r[1])
    assert f"{top[0]} ({top[2]} of those whose answers are coded)" in view.working_well
    assert "Front page" in pages[1] and "What is working well" in pages[1]
    assert f"{top[0]} ({top[2]}" in pages[1]
    assert "Decisions the board is asked to make" in pages[1]
    # The contents follow the front page (which runs onto a second page with the outcomes).
    assert next(i for i, p in enumerate(pages) if "Contents Front page" in p) in (2, 3)


def test_a_board_member_asks_for_the_pack_for_their_meeting(
    app, logged_in_as, job_queue, monkeypatch
):
    make_round(app, {"web": 20})
    with app.app_context():
        meeting_id = services.save_meeting(None, {"held_on": date(2026, 6, 24)}).id
    client = logged_in_as(Role.BOARD_MEMBER)
    page = client.get(f"/board/meetings/{meeting_id}").text
    assert "Ask for the pack for this meeting" in page

    first = client.post(f"/board/meetings/{meeting_id}/request-pack")
    assert first.status_code == 302 and "/board/packs/" in first.headers["Location"]
    assert jobs.huey.pending_count() == 1
    assert job_queue() == 1
    assert "The pack is ready" in client.get(first.headers["Location"]).text
    listing = client.get("/board/packs").text
    assert "Packs you asked for" in listing and "Ready" in listing

    again = client.post(f"/board/meetings/{meeting_id}/request-pack")
    assert again.headers["Location"] == first.headers["Location"]  # nothing changed: same pack
    assert jobs.huey.pending_count() == 0

    monkeypatch.setattr(pack_requests, "REQUESTS_PER_DAY", 2)
    with app.app_context():
        worker = db.session.scalar(sa.select(StaffUser))
        presentations.add_presentation(date(2026, 7, 1), "", "Our results", "The chair", worker)
    changed = client.post(f"/board/meetings/{meeting_id}/request-pack")
    assert changed.headers["Location"] != first.headers["Location"]
    assert job_queue() == 1
    with app.app_context():
        worker = db.session.scalar(sa.select(StaffUser))
        presentations.add_presentation(date(2026, 8, 1), "", "The plan", "Two members", worker)
    refused = client.post(f"/board/meetings/{meeting_id}/request-pack", follow_redirects=True)
    assert "You have asked for 2 packs in the last 24 hours" in refused.text
    assert jobs.huey.pending_count() == 0
