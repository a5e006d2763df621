"""Staff lists and aggregate pages cost the same number of SQL statements at any data size,
and no GET writes to the database (issue 20).

One round is seeded at two sizes (tests/data_sizes.py: 20 and 200 responses, contacts,
invitations, codings, forum members), each in its own database, once for the module. Every
page is fetched at both sizes by the role that uses it, counting statements on the engine: the
larger round may not need more. Each request is also watched for INSERT, UPDATE or DELETE: a
GET that writes fails, whatever it writes, but for the audit log's line saying who looked
(tests/data_sizes.py ``AUDIT``). The pages: every staff and board list, aggregate and export
behind a GET, the action tracker, plan, paper, outbox and board meetings among them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.core.extensions import db
from app.staff.auth.models import Role
from tests.conftest import TEST_DATABASE_URL, build_app
from tests.data_sizes import LARGE, SMALL, Seeded, seed, sign_in, statements

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="two databases at once: SQLite files (one shared PostgreSQL)"
)

WORKER, BOARD = Role.PARTICIPATION_WORKER, Role.BOARD_MEMBER
PAGES: list[tuple[Role, str]] = [
    (WORKER, "/staff/rounds"),
    (WORKER, "/staff/rounds/{round}"),
    (WORKER, "/staff/rounds/{round}/responses"),
    (WORKER, "/staff/rounds/{round}/export.csv"),
    (WORKER, "/staff/rounds/{round}/export.xlsx"),
    (WORKER, "/staff/rounds/{round}/response-rate"),
    (WORKER, "/staff/rounds/{round}/response-rate/chart.svg"),
    (WORKER, "/staff/rounds/{round}/reach"),
    (WORKER, "/staff/rounds/{round}/invitations"),
    (WORKER, "/staff/contacts"),
    (WORKER, "/staff/contacts/{contact}"),
    (WORKER, "/staff/themes"),
    (WORKER, "/staff/themes/{round}/codebook"),
    (WORKER, "/staff/themes/{round}/code"),
    (WORKER, "/staff/themes/{round}/agreement"),
    (WORKER, "/staff/themes/{round}/quotes"),
    (WORKER, "/staff/themes/{round}/results"),
    (WORKER, "/staff/themes/{round}/chart.svg"),
    (WORKER, "/staff/themes/{round}/export.csv"),
    (WORKER, "/staff/themes/{round}/export.xlsx"),
    (WORKER, "/staff/forum"),
    (WORKER, "/staff/forum/payments"),
    (WORKER, "/staff/forum/meetings/{meeting}"),
    (WORKER, "/staff/you-said"),
    (WORKER, "/staff"),
    (WORKER, "/staff/actions"),
    (WORKER, "/staff/actions/overdue"),
    (WORKER, "/staff/actions/since"),
    (WORKER, "/staff/milestones"),
    (WORKER, "/staff/plan"),
    (WORKER, "/staff/paper"),
    (WORKER, "/staff/paper/rounds/{round}/settle"),
    (WORKER, "/staff/sms/outbox"),
    (WORKER, "/staff/forum/presentations"),
    (WORKER, "/staff/rounds/{round}/invitations/schedule"),
    (WORKER, "/staff/translations"),
    (BOARD, "/board/meetings"),
    (BOARD, "/board/outcomes"),
    (BOARD, "/board/benchmarking"),
    (BOARD, "/board/assessments"),
    (BOARD, "/board?round={round}"),
    (BOARD, "/board/packs"),
]


@dataclass
class Sized:
    app: Flask
    seeded: Seeded
    clients: dict[Role, FlaskClient]

    def url(self, template: str) -> str:
        seeded = self.seeded
        return template.format(
            round=seeded.round_id, meeting=seeded.meeting_id, contact=seeded.contact_id
        )


@pytest.fixture(scope="module")
def sizes(database_template: str, tmp_path_factory) -> Iterator[dict[int, Sized]]:
    built = {}
    for size in (SMALL, LARGE):
        path = tmp_path_factory.mktemp(f"size{size}") / "sized.db"
        shutil.copyfile(database_template, path)
        app = build_app(f"sqlite:///{path}")
        seeded = seed(app, size)
        built[size] = Sized(app, seeded, {role: sign_in(app, role) for role in (WORKER, BOARD)})
    yield built
    for sized in built.values():
        with sized.app.app_context():
            db.engine.dispose()


def fetch(sized: Sized, role: Role, template: str) -> tuple[int, list[tuple[str, str]]]:
    """Statements for one GET of the page, and the writes it made."""
    with statements(sized.app) as log:
        response = sized.clients[role].get(sized.url(template))
        response.get_data()  # a streamed export reads its rows while its body is sent
    assert response.status_code == 200, f"{template}: {response.status_code}"
    return log.statements, log.writes


@pytest.mark.parametrize(("role", "page"), PAGES, ids=[p for _, p in PAGES])
def test_page_costs_the_same_at_any_size_and_never_writes(sizes, role: Role, page: str):
    small, small_writes = fetch(sizes[SMALL], role, page)
    large, large_writes = fetch(sizes[LARGE], role, page)
    print(f"{page}: {small} statements at {SMALL}, {large} at {LARGE}")
    assert large <= small, f"{page}: {small} statements at {SMALL}, {large} at {LARGE}"
    assert not small_writes + large_writes, f"{page} wrote on GET: {small_writes + large_writes}"
