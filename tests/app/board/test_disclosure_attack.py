"""The attack: a board member collects everything the board can see and solves for hidden cells.

The attacker's own model, built only from published numbers (the dashboard's HTML tables for
all ages and each offered band, and the XLSX data pack), never from the product's code path:
- every table's rows add up to its published base (people who answered / responded);
- each row's band cells add up to its all-ages cell, and the bands' people add up to everyone;
- "fewer than 5" is 0 to 4; "hidden to protect privacy" is 5 or more; a band that is not
  offered is unknown;
- between two snapshots (before and after more responses), counts only grow.
The solver (scipy.optimize.milp, integer counts) gives each hidden cell's smallest and largest
possible value. None may be pinned to one value (the product promises a range of at least 2).

Switch the product's secondary step off (``Publication.secondary = False``) and this test fails.
"""

from __future__ import annotations

import html
import io
import re
from itertools import cycle

import numpy as np
import pytest
from openpyxl import load_workbook
from scipy.optimize import Bounds, LinearConstraint, milp

from app.board import pack, services
from app.core.disclosure import Publication
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Answer, Question, Response, SurveyRound
from tests.app.board.conftest import make_round

BANDS = ["16 to 17", "18 to 20", "21 to 25", "Not known"]
CHOICES = ["yes", "no", "not_sure", "yes", "yes", None, "no", "yes"]


def _seed(app) -> int:
    # Many small cells: 3 by text is the only small channel, so without secondary suppression
    # everyone less the other channels gives it away; seven ages cycle so every band has a few.
    round_id = make_round(
        app, {"web": 31, "sms": 3, "paper": 7, "phone": 6}, ages=[17, 19, 19, 22, 19, 22, 30]
    )
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        survey_round.status = "open"  # the snapshot moves with new responses while open
        _answer_q11(survey_round)
        db.session.commit()
    return round_id


def _answer_q11(survey_round, only=None):
    q11 = next(q for q in survey_round.questionnaire.questions if q.code == "Q11")
    picks = cycle(CHOICES)
    # Keys are random (anonymity), so order by what the figures show: each channel-and-age group
    # takes one run of the cycle, and the counts come out the same on every run.
    responses = only or db.session.scalars(
        db.select(Response).where(Response.round_id == survey_round.id)
    )
    for response in sorted(responses, key=_channel_and_age):
        choice = next(picks)
        if choice:
            db.session.add(Answer(response=response, question=q11, value={"choice": choice}))


def _channel_and_age(response) -> tuple[str, int]:
    ages = [a.value.get("age", 0) for a in response.answers if a.question.code == "Q1"]
    return response.channel, ages[0] if ages else 0


def _add_responses(app, round_id, count, age, channel="sms"):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        q1 = db.session.scalar(
            db.select(Question).where(
                Question.questionnaire_id == survey_round.questionnaire_id, Question.code == "Q1"
            )
        )
        added = []
        for _ in range(count):
            response = Response(
                round=survey_round,
                channel=channel,
                status="complete",
            )
            response.answers.append(Answer(question=q1, value={"age": age}))
            db.session.add(response)
            added.append(response)
        _answer_q11(survey_round, added)
        db.session.commit()


# --- What the board sees ----------------------------------------------------------------------


def _value(text):
    text = html.unescape(str(text)).strip()
    if text.isdigit():
        return int(text)
    if text.startswith("fewer than"):
        return "small"
    if text.startswith("hidden"):
        return "hidden"
    return None


def _tables_from_html(page: str) -> dict[str, tuple[object, dict[str, object]]]:
    """{table: (base, {row: value})} for the channel table and each question's table."""
    found = {}
    for caption, body in re.findall(r"<caption[^>]*>(.*?)</caption>(.*?)</table>", page, re.S):
        caption = html.unescape(caption)
        rows = {
            html.unescape(label).strip(): _value(cell)
            for label, cell in re.findall(
                r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', body, re.S
            )
        }
        if m := re.match(r"People who answered, by how they answered \((.*) in all\)", caption):
            found["channels"] = (_value(m.group(1)), rows)
        elif m := re.match(r"Answers to (Q\d+) \((.*) people responded\)", caption):
            found[m.group(1)] = (_value(m.group(2)), rows)
    return found


def _tables_from_xlsx(book) -> dict[str, tuple[object, dict[str, object]]]:
    found = {}
    for sheet in book.worksheets:
        rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] is not None]
        caption = next((str(r[0]) for r in rows if str(r[0]).startswith(("People", "Answers"))), "")
        cells = {str(r[0]): _value(r[1]) for r in rows if len(r) > 1 and r[1] is not None}
        cells = {k: v for k, v in cells.items() if v is not None}
        if m := re.match(r"People who answered, by how they answered \((.*) in all\)", caption):
            found["channels"] = (_value(m.group(1)), cells)
        elif m := re.match(r"Answers to (Q\d+) \((.*) people responded\)", caption):
            found[m.group(1)] = (_value(m.group(2)), cells)
    return found


def _collect(app, client, round_id) -> dict[str, dict]:
    """Everything the board role sees, by view ("" is all ages)."""
    page = client.get(f"/board?round={round_id}").text
    offered = re.findall(r'<option value="([^"]+)"[^>]*>\1</option>', page)
    offered = [html.unescape(b) for b in offered if html.unescape(b) in BANDS]
    views = {"": _tables_from_html(page)}
    for band in offered:
        views[band] = _tables_from_html(client.get(f"/board?round={round_id}&band={band}").text)
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, round_id)
        for band in ["", *offered]:
            book = load_workbook(io.BytesIO(pack.data_pack(services.dashboard(survey_round, band))))
            for table, (base, rows) in _tables_from_xlsx(book).items():
                seen_base, seen_rows = views[band].get(table, (base, {}))
                assert seen_base == base and seen_rows == rows, "the XLSX and page disagree"
    return views


# --- The attacker's own solver ----------------------------------------------------------------


class Attack:
    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.eq: list[dict[int, float]] = []
        self.ge: list[dict[int, float]] = []

    def var(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.lb)
            self.lb.append(0)
            self.ub.append(10_000)
        return self.index[key]

    def know(self, key, value) -> None:
        i = self.var(key)
        low, high = {"small": (0, 4), "hidden": (5, 10_000)}.get(value, (value, value))
        self.lb[i], self.ub[i] = max(self.lb[i], low), min(self.ub[i], high)

    def publish(self, snapshot: int, views: dict[str, dict]) -> None:
        tables = {t for v in views.values() for t in v}
        for table in tables:
            rows = {r for v in views.values() if table in v for r in v[table][1]}
            for view in ["", *BANDS]:
                base, cells = views.get(view, {}).get(table, (None, {}))
                people = ("people", snapshot, view)
                self.var(people)
                if base is not None:
                    self.know(people, base)
                for row in rows:
                    self.var((table, row, snapshot, view))
                    if row in cells:
                        self.know((table, row, snapshot, view), cells[row])
                self.eq.append(
                    {self.var((table, r, snapshot, view)): 1 for r in rows} | {self.var(people): -1}
                )
            for row in rows:
                parts = {self.var((table, row, snapshot, b)): 1 for b in BANDS}
                self.eq.append(parts | {self.var((table, row, snapshot, "")): -1})
        everyone = {self.var(("people", snapshot, b)): 1 for b in BANDS}
        self.eq.append(everyone | {self.var(("people", snapshot, "")): -1})

    def grows(self, before: int, after: int) -> None:
        for key in list(self.index):
            if key[-2] == before and (*key[:-2], after, key[-1]) in self.index:
                later = self.index[(*key[:-2], after, key[-1])]
                self.ge.append({later: 1, self.index[key]: -1})

    def ranges(self, keys) -> dict[tuple, tuple[int, int]]:
        n = len(self.lb)
        rows = self.eq + self.ge
        matrix = np.zeros((len(rows), n))
        for r, coeffs in enumerate(rows):
            for i, c in coeffs.items():
                matrix[r, i] += c
        lower = [0] * len(self.eq) + [0] * len(self.ge)
        upper = [0] * len(self.eq) + [np.inf] * len(self.ge)
        constraint = LinearConstraint(matrix, lower, upper)
        found = {}
        for key in keys:
            c = np.zeros(n)
            c[self.index[key]] = 1
            ends = []
            for sign in (1, -1):
                result = milp(
                    sign * c,
                    constraints=[constraint],
                    bounds=Bounds(self.lb, self.ub),
                    integrality=np.ones(n),
                )
                assert result.success, "the published figures are inconsistent"
                ends.append(round(sign * result.fun))
            found[key] = (ends[0], ends[1])
        return found


def _hidden_keys(views, snapshot):
    keys = []
    for view, tables in views.items():
        for table, (base, cells) in tables.items():
            if base in ("small", "hidden"):
                keys.append(("people", snapshot, view))
            keys += [
                (table, r, snapshot, view) for r, v in cells.items() if v in ("small", "hidden")
            ]
    return sorted(set(keys))


def _attack(app, logged_in_as, round_id):
    client = logged_in_as(Role.BOARD_MEMBER)
    before = _collect(app, client, round_id)
    _add_responses(app, round_id, 2, age=17)
    unchanged = _collect(app, client, round_id)
    assert unchanged == before, "two new responses moved the board's figures"
    _add_responses(app, round_id, 4, age=22, channel="phone")
    after = _collect(app, client, round_id)
    attack = Attack()
    attack.publish(0, before)
    attack.publish(1, after)
    attack.grows(0, 1)
    hidden = _hidden_keys(before, 0) + _hidden_keys(after, 1)
    assert len(hidden) >= 8, "the seeded round should have many hidden cells"
    return attack.ranges(hidden)


def test_no_hidden_cell_can_be_worked_out_from_everything_the_board_sees(app, logged_in_as):
    round_id = _seed(app)
    ranges = _attack(app, logged_in_as, round_id)
    pinned = {key: r for key, r in ranges.items() if r[1] - r[0] < 2}
    assert not pinned, f"hidden cells worked out: {pinned}"


@pytest.fixture
def no_secondary(monkeypatch):
    monkeypatch.setattr(Publication, "secondary", False)


def test_without_secondary_suppression_the_attack_recovers_cells(app, logged_in_as, no_secondary):
    round_id = _seed(app)
    ranges = _attack(app, logged_in_as, round_id)
    narrowed = {key: r for key, r in ranges.items() if r[1] - r[0] < 2}
    assert narrowed, "the attack should work out hidden cells when only small cells are hidden"


def test_every_published_snapshot_together_pins_no_hidden_cell(app, logged_in_as):
    """A board member who kept every paper: three snapshots of one round, solved together."""
    round_id = _seed(app)
    client = logged_in_as(Role.BOARD_MEMBER)
    published = [_collect(app, client, round_id)]
    for count, age, channel in [(5, 17, "sms"), (5, 22, "phone"), (6, 19, "paper")]:
        _add_responses(app, round_id, count, age=age, channel=channel)
        published.append(_collect(app, client, round_id))
        assert published[-1] != published[-2], "the snapshot should have moved"
    attack = Attack()
    hidden = []
    for number, views in enumerate(published):
        attack.publish(number, views)
        hidden += _hidden_keys(views, number)
    for number in range(1, len(published)):
        attack.grows(number - 1, number)
    ranges = attack.ranges(hidden)
    pinned = {key: r for key, r in ranges.items() if r[1] - r[0] < 2}
    assert not pinned, f"hidden cells worked out across snapshots: {pinned}"
