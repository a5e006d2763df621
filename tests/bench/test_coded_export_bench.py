"""Benchmark: peak memory of the coded-answers export at 5,000 coded answers (issue 20).

The baseline, measured in the same run, is the same export of 500 coded answers: an export
that streams holds about the same at ten times the size, one that builds its rows first holds
ten times as much. Peak memory is Python's own allocations (tracemalloc) while one request is
made and its body read chunk by chunk and thrown away, as a browser saving the file would; each
export is made once untraced first, so loading openpyxl and the app's caches are not counted.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from flask.testing import FlaskClient

from app.staff.auth.models import Role
from tests.surveys.themes.helpers import coded_round

pytestmark = pytest.mark.bench
SMALL, LARGE = 500, 5_000


def _peak(client: FlaskClient, url: str) -> tuple[float, float, int]:
    """(peak MB, seconds, bytes sent) for one GET of ``url``, read to the end."""
    client.get(url).get_data()  # warm: imports and caches are not the export's
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.get(url)
        assert response.status_code == 200
        sent = sum(len(chunk) for chunk in response.iter_encoded())
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 1e6, time.perf_counter() - started, sent


def test_coded_export_memory_does_not_grow_with_the_round(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    rounds = {size: coded_round(app, size, slug=f"coded{size}") for size in (SMALL, LARGE)}
    lines = []
    peaks: dict[tuple[str, int], float] = {}
    for kind in ("csv", "xlsx"):
        for size, round_id in rounds.items():
            peak, seconds, sent = _peak(client, f"/staff/themes/{round_id}/export.{kind}")
            peaks[kind, size] = peak
            lines.append(
                f"  {kind} at {size:,} coded answers: peak {peak:.1f} MB traced, "
                f"{seconds:.2f} s (traced), {sent / 1e6:.2f} MB sent"
            )
    print("\ncoded-answers export, peak Python memory per request:\n" + "\n".join(lines))
    for kind in ("csv", "xlsx"):
        # Streamed: ten times the answers may not take even twice the memory.
        assert peaks[kind, LARGE] < 2 * peaks[kind, SMALL] + 1, kind
