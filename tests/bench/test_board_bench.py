"""Board dashboard and pack times for a round of 2,000 responses (run with `make bench`).

Cold: no chart drawn yet (empty in-process and file caches). Cached: the same page again, when
every chart is found by the hash of its data. Baseline in the same run: the staff start page.
Pack: the whole A4 PDF and XLSX, built in the foreground as `flask board pack` does.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

import pytest

from app.board import pack
from app.core.charts import forget_memory
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import RoundStatus, SurveyRound
from surveys.rounds.demo import _add_responses, _make_round
from surveys.services import load_questionnaire_file

pytestmark = pytest.mark.bench
RESPONSES = 2_000


def _seed(app) -> int:
    with app.app_context():
        questionnaire = load_questionnaire_file()
        rng = random.Random(10)
        on = date.today()
        last = _make_round(
            questionnaire,
            "Bench survey 2025",
            "bench25",
            opens_on=on - timedelta(days=400),
            closes_on=on - timedelta(days=300),
            status=RoundStatus.CLOSED,
        )
        _add_responses(
            rng,
            last,
            questionnaire,
            RESPONSES // 2,
            first=last.opens_on,
            last=last.closes_on,
            unfinished=0.0,
        )
        current = _make_round(
            questionnaire,
            "Bench survey 2026",
            "bench26",
            opens_on=on - timedelta(days=40),
            closes_on=on + timedelta(days=20),
            status=RoundStatus.OPEN,
        )
        current.cohort_size = 6_000
        _add_responses(
            rng, current, questionnaire, RESPONSES, first=current.opens_on, last=on, unfinished=0.0
        )
        db.session.commit()
        return current.id


def _timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, url
    return time.perf_counter() - start


def test_dashboard_cold_cached_and_pack(app, logged_in_as, tmp_path):
    round_id = _seed(app)
    client = logged_in_as(Role.BOARD_MEMBER)
    url = f"/board?round={round_id}"
    baseline = [_timed(client, "/staff") for _ in range(5)]
    cold = []
    for n in range(3):
        forget_memory()
        app.config["CHART_CACHE_DIR"] = str(tmp_path / f"cold{n}")
        cold.append(_timed(client, url))
    cached = [_timed(client, url) for _ in range(5)]
    with app.test_request_context():
        start = time.perf_counter()
        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        done = pack.build_pack(job.id)
        pack_seconds = time.perf_counter() - start
        assert done.status == "done"
        size = done.pdf_size
    print(
        f"\nBoard dashboard, {RESPONSES:,} responses (and {RESPONSES // 2:,} last round):"
        f"\n  staff start page (baseline): median {statistics.median(baseline) * 1000:.0f} ms"
        f"\n  dashboard cold (charts drawn): median {statistics.median(cold) * 1000:.0f} ms"
        f"\n  dashboard cached (charts by hash): median {statistics.median(cached) * 1000:.0f} ms"
        f"\n  board pack (PDF {size / 1024:.0f} KB + XLSX): {pack_seconds:.1f} s"
    )
    # Charts are SVG written directly (app/core/charts.py), a millisecond or so each, so cold
    # and cached pages now differ by little more than noise: the cache must only never cost.
    assert statistics.median(cached) <= statistics.median(cold) * 1.25
