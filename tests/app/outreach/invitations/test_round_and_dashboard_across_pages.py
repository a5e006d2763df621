"""The round page and the response-rate dashboard, attacked together.

Both pages show figures of the same round: complete responses in total and by channel, and
responses over time (the round page per day, the dashboard cumulatively, both from the daily
tallies). The dashboard's age bands add up to the same responses, the reach page's answered
are within them, the export has one row per complete response and the themes results count
people within each channel's responses. The attacker puts every figure a participation worker
can see side by side and asks the solver for the smallest and largest value of each hidden cell.

Protected apart, the round page (channels with those still in progress beside them) and the
dashboard (channels alone) hid different channels, and together they gave a "fewer than 5"
away by subtraction.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime

import pytest

from app.core.disclosure import PROTECTION, Publication
from app.core.extensions import db
from app.outreach.invitations import dashboard
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.app.outreach.invitations.test_reach import Attack, _tables
from tests.surveys.rounds.helpers import TODAY, add_response, make_round

SHOWN = r"([^<]*?)(?:<br>|</dd>)"
# (complete, in progress) by channel. Protected apart, the round page hid web and text (web's 2
# in progress pull its row in) and the dashboard hid paper and text: 21 - 10 - 8 = 3 by text.
SEED = {"web": (10, 2), "sms": (3, 0), "paper": (8, 0)}


def _seed(app) -> int:
    with app.app_context():
        survey_round = make_round(slug="cross26")
        round_id = survey_round.id
        for channel, (complete, in_progress) in SEED.items():
            for _ in range(complete):
                add_response(survey_round, channel)
            for _ in range(in_progress):
                add_response(survey_round, channel, complete=False)
    add_contacts(app, 8)
    invite_all(app, round_id, ("sms",))
    return round_id


def _value(text: str) -> int | str:
    text = html.unescape(text).strip()
    return int(text) if text.isdigit() else text


def _figure(page: str, name: str) -> int | str:
    found = re.search(rf'id="figure-{name}">{SHOWN}', page)
    assert found, name
    return _value(found.group(1))


def _rows(page: str, start: str) -> dict[str, list[int | str]]:
    """A table's rows (header cell, then its cells), the table found by its id or caption id."""
    body = re.search(rf'id="{start}".*?</table>', page, re.S)
    assert body, start
    rows = {}
    for label, cells in re.findall(
        r'<th scope="row" class="govuk-table__header[^"]*">(.*?)</th>((?:\s*<td[^>]*>[^<]*</td>)+)',
        body.group(0),
        re.S,
    ):
        label = re.sub(r"<[^>]+>", "", label).strip()
        rows[html.unescape(label)] = [
            _value(v) for v in re.findall(r"<td[^>]*>([^<]*)</td>", cells)
        ]
    return rows


def _dashboard_days(page: str) -> list[tuple[str, int | str]]:
    """The dashboard's day-by-day rows: the date ("1 Dec") and the answers so far."""
    body = re.search(r'id="by-day".*?</table>', page, re.S)
    assert body
    days = []
    for cells in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body.group(0), re.S):
        values = re.findall(r"<td[^>]*>([^<]*)</td>", cells)
        if values:
            days.append((values[1].strip(), _value(values[2])))
    return days


def _everything(client, round_id: int) -> tuple[Attack, list[tuple]]:
    """The attacker's model of every page together, and the hidden cells in it."""
    reach_page = client.get(f"/staff/rounds/{round_id}/reach").text
    attack = Attack(_tables(reach_page))
    hidden: list[tuple] = []

    def know(key: tuple, value: int | str) -> None:
        attack.know(key, value)
        if isinstance(value, str):
            hidden.append(key)

    def equal(parts: list[tuple], total: tuple) -> None:
        attack.eq.append({attack.var(p): 1 for p in parts} | {attack.var(total): -1})

    def within(part: tuple, whole: tuple) -> None:
        attack.le.append({attack.var(part): 1, attack.var(whole): -1})

    responses = ("responses",)
    # The round page: the headline, channels with those in progress, where people stop, days.
    page = client.get(f"/staff/rounds/{round_id}").text
    know(responses, _figure(page, "complete"))
    know(("in progress",), _figure(page, "in-progress"))
    channels = _rows(page, "by-channel-caption")
    for label, (complete, in_progress) in channels.items():
        know(("channel", label, "complete"), complete)
        know(("channel", label, "in progress"), in_progress)
    equal([("channel", label, "complete") for label in channels], responses)
    equal([("channel", label, "in progress") for label in channels], ("in progress",))
    stops = _rows(page, "stops-caption")
    for label, (people,) in stops.items():
        know(("stop", label), people)
    if stops:
        equal([("stop", label) for label in stops], ("in progress",))
    per_day = {
        datetime.strptime(label, "%a %d %b %Y").date(): count
        for label, (count,) in _rows(page, "by-day-caption").items()
    }
    for day, count in per_day.items():
        know(("day", day), count)
    equal([("day", day) for day in per_day], responses)

    # The dashboard: the same responses, by channel (the same cells), by age band, and so far
    # on each day (the sum of the round page's days up to then).
    dash = client.get(f"/staff/rounds/{round_id}/response-rate").text
    know(responses, _figure(dash, "responded"))
    for label, (count,) in _rows(dash, "by-response-channel").items():
        know(("channel", label, "complete"), count)
    bands = _rows(dash, "by-age-band")
    for label, (count,) in bands.items():
        know(("band", label), count)
    equal([("band", label) for label in bands], responses)
    for label, so_far in _dashboard_days(dash):
        on = datetime.strptime(f"{label} {TODAY.year}", "%d %b %Y").date()
        know(("so far", on), so_far)
        equal([("day", day) for day in per_day if day <= on], ("so far", on))
    # The dashboard's headline is the reach page's "All invited" row, and every invitation
    # marked completed is a complete response.
    know(("total", "invited"), _figure(dash, "invited"))
    know(("total", "reached"), _figure(dash, "reached"))
    know(("total", "responded"), _figure(dash, "completed"))
    within(("total", "responded"), responses)

    # The export: one row per complete response.
    export = client.get(f"/staff/rounds/{round_id}/export.csv").text
    know(responses, len(list(csv.DictReader(io.StringIO(export)))))
    # The themes results: the people coded in each channel are within its responses (only
    # upper bounds; this round has no codebook, so the page is not found).
    themes = client.get(f"/staff/themes/{round_id}/results")
    if themes.status_code == 200:
        for label, people in re.findall(r"([A-Za-z ]+) \((\d+|fewer than 5) people\)", themes.text):
            key = ("channel", label.strip(), "complete")
            if key in attack.index:
                within(("coded", label.strip()), key)
                know(("coded", label.strip()), _value(people))
    return attack, sorted(set(hidden), key=repr)


def _ranges(client, round_id: int) -> dict[tuple, tuple[int, int]]:
    attack, hidden = _everything(client, round_id)
    return {key: attack.range_of(key) for key in hidden}


@pytest.fixture
def worker(app, logged_in_as):
    return logged_in_as(Role.PARTICIPATION_WORKER)


def test_the_pages_show_the_round_with_small_channels_hidden(app, worker):
    round_id = _seed(app)
    page = worker.get(f"/staff/rounds/{round_id}").text
    dash = worker.get(f"/staff/rounds/{round_id}/response-rate").text
    assert _rows(page, "by-channel-caption")["Text message"][0] == "fewer than 5"
    assert _rows(dash, "by-response-channel")["Text message"] == ["fewer than 5"]
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).status == "open"


def test_no_hidden_cell_is_pinned_by_the_round_page_and_the_dashboard_together(
    app, worker, monkeypatch
):
    round_id = _seed(app)
    ranges = _ranges(worker, round_id)
    print(f"\nThe attacker's ranges for every hidden cell, all pages: {ranges}")
    assert ("channel", "Text message", "complete") in ranges
    assert ranges and all(high - low >= PROTECTION for low, high in ranges.values()), ranges

    # Protected apart (the dashboard not linking the round page's figures), the round page shows
    # paper's 8 and the dashboard web's 10 of the 21: the 3 by text are pinned.
    with monkeypatch.context() as apart:
        apart.setattr(dashboard, "_link_round_page", lambda *args: None)
        pinned = {k: r for k, r in _ranges(worker, round_id).items() if r[0] == r[1]}
    assert pinned.get(("channel", "Text message", "complete")) == (3, 3), pinned

    # Without the secondary step the pages give the 3 who answered by text away at once.
    monkeypatch.setattr(Publication, "secondary", False)
    pinned = {k: r for k, r in _ranges(worker, round_id).items() if r[0] == r[1]}
    assert pinned.get(("channel", "Text message", "complete")) == (3, 3), pinned
