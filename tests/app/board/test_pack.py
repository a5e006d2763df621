"""The board pack: made from the demo data, its headline numbers match the database, one job
for two requests at once, progress by polling, dated and downloadable, and a command."""

from __future__ import annotations

import io
import math
import re
import threading

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError

from app.board import pack, tasks
from app.board.models import BoardPack
from app.core import jobs
from app.core.extensions import db
from app.outreach.contacts.models import Contact
from app.staff.auth.models import Role
from surveys.models import Response, SurveyRound
from surveys.services import round_by_slug
from tests.app.board.conftest import make_round


def independent_eligible(on) -> int:
    """Contacts on the list who are 16 to 25 on ``on``, agreed, not barred: read from the rows."""
    rows = db.session.execute(
        sa.select(Contact.date_of_birth).where(
            Contact.consent.is_(True),
            Contact.do_not_contact.is_(False),
            Contact.opted_out.is_(False),
            Contact.date_of_birth.is_not(None),
        )
    ).scalars()
    ages = [on.year - b.year - ((on.month, on.day) < (b.month, b.day)) for b in rows]
    return sum(1 for age in ages if 16 <= age <= 25)


def _independent_headline(slug: str) -> tuple[int, int, int]:
    """Complete responses, the base and the response rate, counted straight from the tables.

    The open demo round had its contact list when it opened; last year's round had none, so its
    base is the staff's estimate (400)."""
    survey_round = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == slug))
    complete = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.round_id == survey_round.id, Response.status == "complete")
    )
    base = independent_eligible(survey_round.opens_on) if slug == "nb2026" else 400
    return complete, base, math.floor(complete * 100 / base + 0.5)


def test_demo_pack_headline_numbers_match_the_database(demo):
    app = demo
    with app.test_request_context():
        job, created = pack.request_pack(round_by_slug("nb2026"))
        assert created
        done = pack.build_pack(job.id)
        assert done.status == "done" and done.progress == 100 and done.job_key is None
        complete, eligible, rate = _independent_headline("nb2026")
        last_complete, _, last_rate = _independent_headline("nb2025")
        pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(done.pdf)).pages]
    assert complete >= 5
    text = "\n".join(pages)
    assert "Northbridge City Council" in pages[0] and "Corporate parenting board pack" in pages[0]
    assert "Front page" in pages[1]  # the board's front page comes first (issue 23)
    # The contents follow the front page (which runs onto a second page with the outcomes).
    assert next(i for i, p in enumerate(pages) if "Contents Front page" in p) in (2, 3)
    summary = next(p for p in pages[2:] if "Summary" in p[:120])
    assert re.search(rf"Care leavers who answered\s+{complete}\b", summary)
    assert re.search(rf"Response rate \(target 30%\)\s+{rate}%", summary)
    assert f"We heard from {complete} care leavers" in summary
    assert f"{rate}% of the {eligible} eligible care leavers on the contact list" in summary
    assert f"it was {last_rate}%" in summary
    assert re.search(rf"{last_complete}\s+400 \(staff estimate\)\s+{last_rate}%", text), "by round"
    for heading in ("Action tracker", "Forum report", "How we did this", "Glossary", "Themes"):
        assert heading in text


def test_two_requests_at_once_make_one_job(app):
    round_id = make_round(app, {"web": 20})
    results = []
    barrier = threading.Barrier(2)

    def ask():
        with app.app_context():
            barrier.wait()
            job, created = pack.request_pack(db.session.get(SurveyRound, round_id))
            results.append((job.id, created))
            db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({job_id for job_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BoardPack.id))) == 1


def test_the_database_refuses_a_second_unfinished_job(app):
    round_id = make_round(app, {"web": 20})
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        job, _ = pack.request_pack(survey_round)
        twin = BoardPack(
            round_id=round_id, prepared_on=job.prepared_on, job_key=job.job_key, age_band=""
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        pack.build_pack(job.id)
        again, created = pack.request_pack(survey_round)  # finished packs stay, dated
        assert created and again.id != job.id


def test_requesting_over_http_polls_then_downloads(app, logged_in_as, job_queue):
    round_id = make_round(app, {"web": 20, "sms": 9})
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    first = client.post("/board/packs", data={"round_id": round_id, "band": ""})
    second = client.post("/board/packs", data={"round_id": round_id, "band": ""})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert jobs.huey.pending_count() == 1, "the second request queued another job"
    started = [int(first.headers["Location"].rsplit("/", 1)[1])]

    status = client.get(first.headers["Location"])
    assert 'hx-trigger="every 2s"' in status.text
    assert "Check progress" in status.text and "0% done" in status.text
    partial = client.get(first.headers["Location"], headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<div") or "pack-status" in partial.text

    assert job_queue() == 1
    ready = client.get(first.headers["Location"])
    assert "every 2s" not in ready.text and "The pack is ready" in ready.text
    pdf = client.get(f"/board/packs/{started[0]}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    xlsx = client.get(f"/board/packs/{started[0]}/xlsx")
    assert xlsx.status_code == 200 and "board-pack-board26-" in xlsx.headers["Content-Disposition"]
    listing = client.get("/board/packs").text
    assert f"/board/packs/{started[0]}/pdf" in listing


def test_the_job_makes_the_pack_and_a_second_run_changes_nothing(app):
    round_id = make_round(app, {"web": 20})
    with app.test_request_context():
        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        tasks.make_pack(job.id)  # immediate mode in tests: it runs here, in its own context
        db.session.expire_all()
        done = db.session.get(BoardPack, job.id)
        assert done.status == "done" and done.attempts == 1
        tasks.make_pack(job.id)
        db.session.expire_all()
        assert db.session.get(BoardPack, job.id).attempts == 1, "a finished pack is not remade"


def test_cron_command_makes_a_pack(app, runner):
    make_round(app, {"web": 20}, slug="cron26")
    result = runner.invoke(args=["board", "pack", "cron26"])
    assert result.exit_code == 0, result.output
    assert "Board pack" in result.output
    missing = runner.invoke(args=["board", "pack", "nope"])
    assert missing.exit_code != 0 and "no round called nope" in missing.output


def test_a_round_with_no_responses_still_makes_a_pack_that_says_so(app):
    round_id = make_round(app, {})
    with app.test_request_context():
        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        done = pack.build_pack(job.id)
        assert done.status == "done"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(done.pdf)).pages)
    assert "Nobody has answered this round yet" in text
