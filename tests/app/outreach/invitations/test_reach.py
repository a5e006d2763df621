"""Who we have not heard from: groups and a preferred language on contacts (form and import),
and the reach page by team, age band and group, through disclosure control, with the attack."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
import sqlalchemy as sa
from scipy.optimize import Bounds, LinearConstraint, milp

from app.core.disclosure import PROTECTION, Publication
from app.core.extensions import db
from app.messaging.models import OutboundMessage
from app.outreach.contacts import importing
from app.outreach.contacts import services as contacts
from app.outreach.contacts.models import Contact
from app.outreach.invitations import services as invitations
from app.outreach.invitations.models import Invitation
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from tests.app.outreach.contacts.conftest import HEADERS, good_row, to_csv
from tests.app.outreach.contacts.test_invitations import add_contacts, answer_everything, invite_all
from tests.surveys.conftest import make_open_round
from tests.surveys.rounds.helpers import add_response

MEASURES = ("invited", "reached", "responded")
TABLES = ("reach-team", "reach-age", "reach-group")


def test_the_contact_form_keeps_groups_and_a_preferred_language(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    form = client.get("/staff/contacts/new").text
    assert "Groups (optional)" in form and "Known to youth justice" in form
    saved = client.post(
        "/staff/contacts/new",
        data={
            "name": "Sam Example",
            "preferred_language": "Tigrinya",
            "group_asylum_seeking": "y",
            "group_parent": "y",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        contact = db.session.scalar(sa.select(Contact))
        assert contact.preferred_language == "ti"
        assert contact.group_asylum_seeking and contact.group_parent
        assert not contact.group_disabled
        contact_id = contact.id
    page = client.get(f"/staff/contacts/{contact_id}").text
    assert "Tigrinya" in page
    assert "Asylum-seeking or came as an unaccompanied child, A parent" in page
    edit = client.get(f"/staff/contacts/{contact_id}/edit").text
    assert re.search(r'name="group_parent"[^>]*checked', edit)
    wrong = client.post(
        f"/staff/contacts/{contact_id}/edit",
        data={"name": "Sam Example", "preferred_language": "Elvish"},
    )
    assert wrong.status_code == 400 and "is not a language we know" in wrong.text


def test_groups_and_language_are_imported_like_other_fields(app):
    headers = [*HEADERS, "UASC", "Disability", "Youth justice", "Language"]
    rows = [
        [*good_row(1), "yes", "no", "", "Arabic"],
        [*good_row(2), "", "Y", "yes", "fa-AF"],
        [*good_row(3), "maybe", "", "", "Martian"],
    ]
    with app.app_context():
        upload = importing.start_upload("contacts.csv", to_csv(rows, headers))
        assert upload.columns["UASC"] == "group_asylum_seeking"
        assert upload.columns["Language"] == "preferred_language"
        importing.save_mapping(upload, upload.columns)
        preview = importing.check_rows(upload)
        importing.import_rows(upload)
        warnings = " ".join(" ".join(r.warnings) for r in preview.warned)
        assert "is not yes or no" in warnings and "is not a language we know" in warnings
        found = {
            c.name: (
                c.group_asylum_seeking,
                c.group_disabled,
                c.group_youth_justice,
                c.preferred_language,
            )
            for c in db.session.scalars(sa.select(Contact))
        }
    assert found["Testy1 Example1"] == (True, False, False, "ar")
    assert found["Testy2 Example2"] == (False, True, True, "fa-AF")
    assert found["Testy3 Example3"] == (False, False, False, "")  # the bad cells left blank


def _seed(app) -> int:
    """15 invited: North 12, South 3; 6 in North disabled, 3 asylum-seeking; 6 answer."""
    ids = add_contacts(app, 15, team=lambda i: "North" if i < 12 else "South")
    with app.app_context():
        for n, contact_id in enumerate(ids):
            contact = db.session.get(Contact, contact_id)
            contact.group_disabled = n < 6
            contact.group_asylum_seeking = 6 <= n < 9
        db.session.commit()
    round_id = make_open_round(app)
    invite_all(app, round_id, ("sms",))
    with app.app_context():
        for text in db.session.scalars(sa.select(OutboundMessage)):
            text.status = "delivered"
        codes = list(db.session.scalars(sa.select(Invitation.code).order_by(Invitation.id)))
        db.session.commit()
    for code in codes[3:9]:  # three disabled and three asylum-seeking people answer
        browser = app.test_client()
        browser.get(f"/i/{code}")
        answer_everything(browser)
    with app.app_context():
        assert invitations.apply_completion_notices() == 6
        # Two paper forms from people not invited: the round page shows 8 responses, so the
        # 6 invitations marked completed can be hidden here (5 to 8) without being pinned.
        survey_round = db.session.get(SurveyRound, round_id)
        for _ in range(2):
            add_response(survey_round, "paper")
    return round_id


def _tables(page: str) -> dict[str, dict[str, dict[str, int | str]]]:
    """What the reach page publishes: each table's rows, as a reader sees them."""
    found = {}
    for table in TABLES:
        body = re.search(rf'<table class="govuk-table" id="{table}">(.*?)</table>', page, re.S)
        assert body, table
        rows = {}
        for label, cells in re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]*)</th>((?:<td[^>]*>[^<]*</td>)+)',
            body.group(1),
        ):
            values = re.findall(r"<td[^>]*>([^<]*)</td>", cells)[:3]
            rows[html.unescape(label)] = {
                m: int(v) if v.isdigit() else v for m, v in zip(MEASURES, values, strict=True)
            }
        found[table] = rows
    return found


def test_the_reach_page_counts_invited_reached_and_answered_with_small_cells_hidden(
    app, logged_in_as
):
    round_id = _seed(app)
    page = logged_in_as(Role.PARTICIPATION_WORKER).get(f"/staff/rounds/{round_id}/reach")
    assert page.status_code == 200
    tables = _tables(page.text)
    teams = tables["reach-team"]
    assert teams["South"]["invited"] == "fewer than 5"
    # North (12) and everyone (15) cannot both show: the 3 in South would be 15 - 12.
    assert "hidden to protect privacy" in (
        teams["North"]["invited"],
        teams["All invited"]["invited"],
    )
    groups = tables["reach-group"]
    assert groups["Disabled"] == {"invited": 6, "reached": 6, "responded": "fewer than 5"}
    assert groups["Known to youth justice"] == {"invited": 0, "reached": 0, "responded": 0}
    assert tables["reach-age"]["21 to 25"]["invited"] in (15, "hidden to protect privacy")
    for label in ("Person", "07700", "@example.org"):
        assert label not in page.text  # counts only, nobody by name


class Attack:
    """The attacker's own model of the page: teams and bands add up to everyone; reached and
    answered are within invited; each group is within everyone; "fewer than 5" is 0 to 4 and
    "hidden to protect privacy" 5 or more."""

    def __init__(self, tables) -> None:
        self.index: dict[tuple, int] = {}
        self.lb: list[int] = []
        self.ub: list[int] = []
        self.eq: list[dict[int, int]] = []
        self.le: list[dict[int, int]] = []
        for table, rows in tables.items():
            for label, cells in rows.items():
                key_row = ("total",) if label == "All invited" else (table, label)
                for measure, value in cells.items():
                    self.know((*key_row, measure), value)
                for part in ("reached", "responded"):
                    self.le.append(
                        {self.var((*key_row, part)): 1, self.var((*key_row, "invited")): -1}
                    )
                if table == "reach-group" and label != "All invited":
                    for m in MEASURES:
                        self.le.append({self.var((*key_row, m)): 1, self.var(("total", m)): -1})
            if table != "reach-group":
                for m in MEASURES:
                    parts = {
                        self.var((table, label, m)): 1 for label in rows if label != "All invited"
                    }
                    self.eq.append(parts | {self.var(("total", m)): -1})

    def var(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.lb)
            self.lb.append(0)
            self.ub.append(10_000)
        return self.index[key]

    def know(self, key, value) -> None:
        i = self.var(key)
        low, high = {"fewer than 5": (0, 4), "hidden to protect privacy": (5, 10_000)}.get(
            value, (value, value)
        )
        self.lb[i], self.ub[i] = max(self.lb[i], low), min(self.ub[i], high)

    def range_of(self, key) -> tuple[int, int]:
        n = len(self.lb)
        rows = self.eq + self.le
        matrix = np.zeros((len(rows), n))
        for r, coefficients in enumerate(rows):
            for i, c in coefficients.items():
                matrix[r, i] += c
        upper = [0] * len(self.eq) + [0] * len(self.le)
        lower = [0] * len(self.eq) + [-np.inf] * len(self.le)
        ends = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[self.index[key]] = sign
            result = milp(
                c,
                constraints=[LinearConstraint(matrix, lower, upper)],
                bounds=Bounds(self.lb, self.ub),
                integrality=np.ones(n),
            )
            assert result.success, "the published figures are inconsistent"
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]

    def hidden(self, tables) -> list[tuple]:
        keys = []
        for table, rows in tables.items():
            for label, cells in rows.items():
                key_row = ("total",) if label == "All invited" else (table, label)
                keys += [(*key_row, m) for m, v in cells.items() if isinstance(v, str)]
        return sorted(set(keys))


def _attack(app, client, round_id) -> dict[tuple, tuple[int, int]]:
    tables = _tables(client.get(f"/staff/rounds/{round_id}/reach").text)
    attack = Attack(tables)
    return {key: attack.range_of(key) for key in attack.hidden(tables)}


def test_a_hidden_cell_cannot_be_worked_out_from_the_totals(app, logged_in_as, monkeypatch):
    round_id = _seed(app)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ranges = _attack(app, client, round_id)
    print(f"\nThe attacker's ranges for the {len(ranges)} hidden cells: {ranges}")
    assert ranges and all(high - low >= PROTECTION for low, high in ranges.values()), ranges

    # The same attack with the secondary step switched off pins South's 3 (15 - 12).
    monkeypatch.setattr(Publication, "secondary", False)
    pinned = {k: r for k, r in _attack(app, client, round_id).items() if r[0] == r[1]}
    assert pinned.get(("reach-team", "South", "invited")) == (3, 3), pinned


def test_the_reach_page_is_for_staff_who_invite(app, logged_in_as):
    round_id = make_open_round(app)
    board = logged_in_as(Role.BOARD_MEMBER)
    assert board.get(f"/staff/rounds/{round_id}/reach").status_code == 403


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Arabic", "ar"),
        ("ar", "ar"),
        ("Dari", "fa-AF"),
        ("Tigrinya", "ti"),
        ("Easy read", "en-x-easyread"),
    ],
)
def test_a_preferred_language_is_read_from_a_name_or_a_code(written, code):
    assert contacts.parse_language(written) == code
