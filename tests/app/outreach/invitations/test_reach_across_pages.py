"""The reach page's hidden "answered" cells, attacked with everything else a participation
worker can see for the round: the response-rate dashboard, the round page and its export.

Each page on its own passes its audit. The attacker puts them side by side: the dashboard's
"invitations marked completed" is the reach page's total answered, its teams' invited and
reached are the reach page's, and every invitation marked completed is a complete response
(the round page and the export count those). Protected apart, the pages hid different cells,
and the dashboard's total pinned a team's "fewer than 5" answered on the reach page.
"""

from __future__ import annotations

import csv
import html
import io
import re

import sqlalchemy as sa

from app.core.disclosure import PROTECTION, Publication
from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from app.staff.auth.models import Role
from tests.app.outreach.contacts.test_invitations import add_contacts, answer_everything, invite_all
from tests.app.outreach.invitations.test_reach import Attack, _tables
from tests.surveys.conftest import make_open_round

SHOWN = r"([^<]*?)(?:<br>|</dd>)"


def _seed(app) -> int:
    """12 invited and reached: North 6 (3 answer), South 6 (5 answer)."""
    add_contacts(app, 12, team=lambda i: "North" if i < 6 else "South")
    round_id = make_open_round(app)
    invite_all(app, round_id, ("sms",))
    with app.app_context():
        for text in db.session.scalars(sa.select(OutboundMessage)):
            text.status = "delivered"
        by_id = sa.select(Invitation.code).order_by(Invitation.id)
        codes = {
            team: list(db.session.scalars(by_id.where(Invitation.team == team)))
            for team in ("North", "South")
        }
        db.session.commit()
    for code in [*codes["North"][:3], *codes["South"][:5]]:
        browser = app.test_client()
        browser.get(f"/i/{code}")
        answer_everything(browser)
    with app.app_context():
        assert invitations.apply_completion_notices() == 8
    return round_id


def _figure(page: str, name: str) -> int | str:
    found = re.search(rf'id="figure-{name}">{SHOWN}', page)
    assert found, name
    value = html.unescape(found.group(1)).strip()
    return int(value) if value.isdigit() else value


def _rows(page: str, table: str, columns: int) -> dict[str, list[int | str]]:
    body = re.search(rf'<table class="govuk-table" id="{table}">(.*?)</table>', page, re.S)
    assert body, table
    rows = {}
    for label, cells in re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]*)</th>((?:<td[^>]*>[^<]*</td>)+)',
        body.group(1),
    ):
        values = re.findall(r"<td[^>]*>([^<]*)</td>", cells)[:columns]
        rows[html.unescape(label)] = [int(v) if v.isdigit() else v for v in values]
    return rows


def _everything(client, round_id: int) -> Attack:
    """The attacker's model of every page together."""
    attack = Attack(_tables(client.get(f"/staff/rounds/{round_id}/reach").text))
    dash = client.get(f"/staff/rounds/{round_id}/response-rate").text
    # The dashboard's headline is the reach page's "All invited" row ...
    attack.know(("total", "invited"), _figure(dash, "invited"))
    attack.know(("total", "reached"), _figure(dash, "reached"))
    attack.know(("total", "responded"), _figure(dash, "completed"))
    # ... its teams are the reach page's teams (they add up to the same totals) ...
    for label, (invited, reached, _share) in _rows(dash, "by-team", 3).items():
        attack.know(("reach-team", label, "invited"), invited)
        attack.know(("reach-team", label, "reached"), reached)
    # ... and its invitations by channel are within the invited.
    for label, (invited, reached) in _rows(dash, "by-invitation-channel", 2).items():
        attack.know(("sent", label, "invited"), invited)
        attack.know(("sent", label, "reached"), reached)
        attack.le.append(
            {attack.var(("sent", label, "reached")): 1, attack.var(("sent", label, "invited")): -1}
        )
        attack.le.append(
            {attack.var(("sent", label, "invited")): 1, attack.var(("total", "invited")): -1}
        )
    # Every invitation marked completed is a complete response: the dashboard's and the round
    # page's count of those, and the export's rows, bound the total answered from above.
    responses = attack.var(("responses",))
    attack.know(("responses",), _figure(dash, "responded"))
    round_page = client.get(f"/staff/rounds/{round_id}").text
    attack.know(("responses",), _figure(round_page, "complete"))
    export = client.get(f"/staff/rounds/{round_id}/export.csv").text
    attack.know(("responses",), len(list(csv.DictReader(io.StringIO(export)))))
    attack.le.append({attack.var(("total", "responded")): 1, responses: -1})
    return attack


def _answered_ranges(client, round_id: int) -> dict[tuple, tuple[int, int]]:
    tables = _tables(client.get(f"/staff/rounds/{round_id}/reach").text)
    attack = _everything(client, round_id)
    return {key: attack.range_of(key) for key in attack.hidden(tables) if key[-1] == "responded"}


def test_no_answered_cell_is_pinned_by_the_other_pages(app, logged_in_as, monkeypatch):
    round_id = _seed(app)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    reach_page = client.get(f"/staff/rounds/{round_id}/reach").text
    assert _tables(reach_page)["reach-team"]["North"]["responded"] == "fewer than 5"

    ranges = _answered_ranges(client, round_id)
    print(f"\nThe attacker's ranges for the hidden answered cells, all pages: {ranges}")
    assert ranges and all(high - low >= PROTECTION for low, high in ranges.values()), ranges

    # Without the secondary step the pages give North's 3 away at once.
    monkeypatch.setattr(Publication, "secondary", False)
    pinned = {k: r for k, r in _answered_ranges(client, round_id).items() if r[0] == r[1]}
    assert pinned.get(("reach-team", "North", "responded")) == (3, 3), pinned
