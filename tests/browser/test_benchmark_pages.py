"""The benchmarking and cluster page and the ONS4 reference figures page in a real browser,
axe-clean (issue 24). Two other councils' signed files are imported into the demo install
first (fictional, made from the demo round's own figures), one named in our cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from app.board import services as board
from app.board.benchmark import services, signing
from app.board.benchmark.models import BenchmarkFile, BenchmarkSettings, BenchmarkSigner
from app.board.wellbeing_demo import EXAMPLE_SOURCE
from app.core.extensions import db
from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

CLUSTER = "Fictional North cluster"


def _file(payload: dict, install_id: str, name: str | None) -> bytes:
    other = {
        **json.loads(json.dumps(payload)),
        "install_id": install_id,
        "authority": {"name": name, "cluster": CLUSTER} if name else None,
    }
    document = {
        "format": services.FORMAT,
        "format_version": services.FORMAT_VERSION,
        "payload": other,
        "signature": signing.sign(other),  # under the key the caller set for that council
    }
    return json.dumps(document).encode()


@pytest.fixture
def two_other_councils(live_app: Flask) -> Iterator[int]:
    """The demo round, with two other councils' files imported; taken out again afterwards."""
    with live_app.app_context():
        survey_round = board.get_round(None)
        assert survey_round is not None
        mine = services.figures(survey_round)
        before = live_app.config.get("BENCHMARK_SIGNING_KEY")
        for install_id, name in [("a" * 32, "Fictional Northtown"), ("b" * 32, None)]:
            live_app.config["BENCHMARK_SIGNING_KEY"] = signing.new_key()
            body = _file(mine, install_id, name)
            live_app.config["BENCHMARK_SIGNING_KEY"] = before
            services.import_file(body)
        services.save_settings(True, CLUSTER)
        round_id = survey_round.id
    yield round_id
    with live_app.app_context():
        for model in (BenchmarkFile, BenchmarkSigner, BenchmarkSettings):
            db.session.execute(sa.delete(model))
        db.session.commit()


def test_admin_reads_the_comparison_cluster_and_reference_figures(
    live_server: str, page: Page, two_other_councils: int
):
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", "admin@northbridge.example")
    page.fill("#password", "demo-admin-pass")
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/staff")

    page.goto(f"{live_server}/board/benchmarking?round={two_other_councils}")
    expect(page.get_by_role("heading", name="Compare with other councils", level=1)).to_be_visible()
    expect(page.get_by_text("You and 2 other councils that sent their figures")).to_be_visible()
    expect(page.locator("#benchmark-table")).to_be_visible()
    cluster = page.locator("#cluster-table")
    expect(cluster).to_contain_text("Fictional Northtown")
    expect(cluster).to_contain_text("(you)")
    assert_accessible(page)

    page.goto(f"{live_server}/board/reference-figures")
    expect(page.get_by_role("heading", name="Reference figures", level=1)).to_be_visible()
    expect(page.get_by_text(EXAMPLE_SOURCE).first).to_be_visible()
    assert_accessible(page)
