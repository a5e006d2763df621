"""Board members only read: every board page they reach is GET-only (but for asking for the
pack for a meeting), shows no raw free text (only approved quotes), and a staff page they try
answers 403 and is audited."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.board import pack, services
from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.rounds.demo import demo_texts
from surveys.services import round_by_slug
from surveys.themes.models import Quote
from tests.conftest import sign_in


def _board_pages(app) -> list[str]:
    with app.test_request_context():
        current = round_by_slug("nb2026")
        job, _ = pack.request_pack(current)
        pack.build_pack(job.id)
        meeting_ids = [m.id for m in services.meetings()]
        urls = [
            "/board",
            f"/board?round={current.id}&band=18+to+20",
            f"/board?round={round_by_slug('nb2025').id}",
            "/board/packs",
            f"/board/packs/{job.id}",
            "/board/meetings",
            *[f"/board/meetings/{i}" for i in meeting_ids],
        ]
        return urls


def test_board_pages_are_read_only_and_show_only_approved_quotes(demo):
    app = demo
    urls = _board_pages(app)
    with app.app_context():
        approved = {q.text for q in db.session.scalars(sa.select(Quote))}
    unapproved = [t for t in demo_texts() if t not in approved and len(t) > 12]
    client = app.test_client()
    assert sign_in(client, "board@northbridge.example", "demo-board-pass").status_code == 302
    seen_charts = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.text
        main = html[html.index("<main") : html.index("</main>")]  # the header's sign-out aside
        # The one thing a board member may ask for: the pack for their meeting (issue 23).
        for form in re.findall(r"<form\b[^>]*>", main):
            asks_for_pack = re.search(r'action="/board/meetings/\d+/request-pack"', form)
            assert 'method="get"' in form or asks_for_pack, (
                f"{url} offers a form that changes something: {form}"
            )
        for text in unapproved:
            assert text not in html, f"{url} shows an unapproved answer: {text!r}"
        seen_charts += html.count('<img class="app-chart"')
    assert seen_charts > 5


def test_each_chart_has_a_title_takeaway_alt_text_and_data_table(demo):
    app = demo
    client = app.test_client()
    sign_in(client, "board@northbridge.example", "demo-board-pass")
    html = client.get("/board").text
    sections = re.findall(r'<section class="app-board-chart".*?</section>', html, flags=re.S)
    assert len(sections) >= 6
    for section in sections:
        title = re.search(r'<h3 class="govuk-heading-s" id="[^"]+">([^<]+)</h3>', section)
        takeaway = re.search(r'<p class="govuk-body app-takeaway">([^<]+)</p>', section)
        image = re.search(
            r'<img class="app-chart" src="(/board/charts/[0-9a-f]{64}\.svg)" alt="([^"]+)"', section
        )
        assert title and takeaway and image, section[:300]
        assert title.group(1).strip() in image.group(2), "alt text names the chart"
        assert "<table" in section and "Show the data" in section
        svg = client.get(image.group(1))
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert "immutable" in svg.headers["Cache-Control"]
        assert "<svg" in svg.text and title.group(1).split(":")[0] in svg.text


def test_a_board_member_trying_a_staff_page_gets_403_and_it_is_audited(app, logged_in_as):
    client = logged_in_as(Role.BOARD_MEMBER)
    for url, method in (("/staff/rounds", "GET"), ("/board/packs", "POST")):
        response = client.open(url, method=method, data={"round_id": "1"})
        assert response.status_code == 403
        assert "You cannot see this page" in response.text
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "access.refused")
        ).all()
        assert {(e.actor_label, e.detail) for e in events} == {
            ("board_member@example.org", "GET /staff/rounds"),
            ("board_member@example.org", "POST /board/packs"),
        }


def test_the_board_members_start_page_links_to_the_dashboard(app, logged_in_as):
    client = logged_in_as(Role.BOARD_MEMBER)
    home = client.get("/staff").text
    assert 'href="/board"' in home and "Board dashboard" in home


def test_a_question_nobody_answered_is_said_plainly(app, logged_in_as):
    from tests.app.board.conftest import make_round

    round_id = make_round(app, {"web": 30}, answers={"Q3": {"choice": "1"}})
    client = logged_in_as(Role.BOARD_MEMBER)
    html = client.get(f"/board?round={round_id}").text
    assert "Q11 Would you like to take part in a care leavers&#39; forum? Nobody answered" in html
    assert "Q3: Are you male or female?" in html


def test_a_round_with_no_responses_says_so(app, logged_in_as):
    from tests.app.board.conftest import make_round

    round_id = make_round(app, {})
    client = logged_in_as(Role.BOARD_MEMBER)
    html = client.get(f"/board?round={round_id}").text
    assert "Nobody has answered this round yet" in html


def test_themes_are_split_into_best_and_worst_things_and_provisional_until_coded(demo):
    with demo.test_request_context():
        survey_round = services.rounds()[0]
        board = services.dashboard(survey_round)
        analysis = services.analyse(survey_round)
    keys = [block.key for block in board.theme_charts]
    assert "themes-Q4" in keys and "themes-Q5" in keys, "best and worst things are pooled"
    for block in board.theme_charts:
        code = block.key.removeprefix("themes-")
        done = analysis.coded_share[code]
        compared = any(h.startswith("Share in") for h in block.table.headers)
        if done < 90:
            assert f"Provisional: {done}% of the answers to {code} are coded so far" in (
                block.takeaway
            )
            assert not compared, "a theme trend is compared before 90% is coded"
        if done < 100:
            assert f"provisional, {done}% coded" in block.table.caption
