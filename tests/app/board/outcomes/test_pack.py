"""The outcomes section of the board pack and the dashboard: its words and figures match counts
computed here from the stored rows, its chart has alt text, and a small count stays hidden in
the pack's text as on the page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.board import pack, services
from app.board.outcomes.models import OutcomeComparison, OutcomeTarget
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from tests.app.board.conftest import make_round
from tests.app.board.independent import MEASURE_WORDS as WORDS
from tests.app.board.independent import outcome_shares, pdf_text
from tests.app.board.outcomes.helpers import attack, read_figures, store, text

FIGURES = {
    2025: {"17-18": (58, 53, 36, 50), "19-21": (110, 97, 57, 91)},
    2026: {"17-18": (61, 56, 40, 54), "19-21": (114, 101, 62, 95)},
}


def _setup(app) -> None:
    store(app, FIGURES)
    with app.app_context():
        db.session.add(OutcomeTarget(measure="eet", age_group="all", percent=60))
        db.session.add(
            OutcomeComparison(
                kind="national",
                measure="eet",
                age_group="all",
                year=2026,
                percent=55,
                source="Test figure",
            )
        )
        db.session.commit()


def _independent_shares(app, year: int) -> dict[str, int]:
    """Each measure's share of everyone aged 17 to 21, summed from the rows (independent.py)."""
    with app.app_context():
        return outcome_shares(year)


def _pack_text(app) -> str:
    round_id = make_round(app, {"web": 30, "paper": 10})
    with app.test_request_context():
        job, _ = pack.request_pack(db.session.get(SurveyRound, round_id))
        built = pack.build_pack(job.id)
        assert built.status == "done", built.stage
        return pdf_text(built.pdf)


def test_the_pack_section_matches_counts_computed_from_the_rows(app):
    _setup(app)
    shares = _independent_shares(app, 2026)
    body = _pack_text(app)
    section = body[body.index("Care leavers' outcomes The council") :]
    eet = shares["eet"]
    short = 60 - eet
    assert (
        f"In 2025 to 2026, {eet}% of care leavers aged 17 to 21 were in education, employment "
        f"or training (our target is 60%, {short} percentage points short; England 55%)."
    ) in section
    for measure in ("in_touch", "suitable_accommodation"):
        assert (
            f"In 2025 to 2026, {shares[measure]}% of care leavers aged 17 to 21 were "
            f"{WORDS[measure]}."
        ) in section
    # The cohort table: each year's groups and their sum.
    for year, groups in FIGURES.items():
        younger, older = groups["17-18"][0], groups["19-21"][0]
        assert f"{year - 1} to {year} {younger} {older} {younger + older}" in section
    assert "Sources: England: Test figure." in section


def test_the_dashboard_shows_the_section_with_a_described_chart(app, logged_in_as):
    _setup(app)
    make_round(app, {"web": 30, "paper": 10})
    page = logged_in_as(Role.BOARD_MEMBER).get("/board").get_data(as_text=True)
    section = page[page.index('id="outcomes"') :]
    eet = _independent_shares(app, 2026)["eet"]
    assert f"{eet}% of care leavers aged 17 to 21 were in education" in text(section)
    alt = re.search(r'<img class="app-chart" src="[^"]+" alt="([^"]+)"', section).group(1)
    assert alt.startswith("Bar chart titled Care leavers aged 17 to 21, 2025 to 2026.")
    assert f"In education, employment or training: {eet}%" in alt


def test_a_small_count_stays_hidden_in_the_pack_as_on_the_page(app, logged_in_as):
    # 3 of 40 at 17-18 in education, 2 of them not in touch: the pack shows the page's figures,
    # and the attack on the pack's own tables pins neither.
    store(app, {2026: {"17-18": (40, 38, 3, 30), "19-21": (80, 70, 50, 70)}})
    make_round(app, {"web": 30, "paper": 10})
    on_page = read_figures(
        logged_in_as(Role.BOARD_MEMBER).get("/board/outcomes").get_data(as_text=True)
    )
    with app.test_request_context():
        survey_round = db.session.scalars(sa.select(SurveyRound)).one()
        in_pack = read_figures(pack.pack_html(services.dashboard(survey_round)))
    assert in_pack == on_page
    assert in_pack["count"][(2026, "eet", "17-18")] == "fewer than 5"
    ranges = attack(in_pack)
    for key in [(2026, "eet", "17-18", "in"), (2026, "in_touch", "17-18", "not")]:
        assert ranges[key][1] > ranges[key][0], f"{key} is pinned"
