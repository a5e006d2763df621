"""Results and charts: counts of people per theme, with cells under 5 suppressed."""

from __future__ import annotations

import html
import re

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from app.core.disclosure import Publication
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from surveys.themes import charts, results, services
from tests.surveys.themes.helpers import add_answers, answer_ids, round_with_answers, theme_id


def _code_all(app, client, round_id, key_for_text):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        units = services.units(survey_round)
    for unit in units:
        theme = theme_id(app, round_id, key_for_text(unit.text))
        client.post(
            f"/staff/themes/{round_id}/code/{unit.answer_id}/{unit.part}",
            data={"themes": [theme], "version": "0"},
        )


def test_small_groups_show_fewer_than_5_in_table_chart_and_breakdowns(app, logged_in_as):
    texts = ["money is tight"] * 12 + ["lonely at night"] * 3
    round_id = round_with_answers(app, texts, age=19)
    with app.app_context():
        add_answers(round_id, ["money again"] * 6, channel="sms", age=17)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    _code_all(app, client, round_id, lambda t: "loneliness" if "lonely" in t else "money")
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        found = results.theme_results(survey_round, services.codebook_for(survey_round))
        rows = {r.key: r for r in found.rows}
        assert found.base == 21
        assert rows["money"].shown == 18 and rows["money"].share_text == "86%"
        assert rows["loneliness"].shown == "fewer than 5"
        assert rows["loneliness"].share is None and rows["loneliness"].share_text == "fewer than 5"
        by_channel = found.breakdowns[0]
        cells = dict(by_channel.rows)
        assert by_channel.columns == ["Text message (6 people)", "Online (15 people)"]
        assert cells["Loneliness and isolation"] == [0, "fewer than 5"]
        svg = charts.theme_chart_svg(found)
        assert "fewer than 5" in svg and "86%" in svg
        assert "<text" in svg  # svg.fonttype none: labels stay text
        assert "fewer than 5" in charts.alt_text(found)
    page = client.get(f"/staff/themes/{round_id}/results")
    assert page.status_code == 200
    assert "fewer than 5" in page.text and 'alt="Bar chart' in page.text
    assert client.get(f"/staff/themes/{round_id}/chart.svg").mimetype == "image/svg+xml"
    partial = client.get(
        f"/staff/themes/{round_id}/results?question=Q12", headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text and "Themes in" in partial.text


def test_board_sees_counts_and_approved_quotes_but_no_raw_text(app, logged_in_as):
    round_id = round_with_answers(app, ["Ring my PA Sarah on 07700 900123 about money"] * 6)
    worker = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    money = theme_id(app, round_id, "money")
    for answer_id in ids:
        worker.post(
            f"/staff/themes/{round_id}/code/{answer_id}/0",
            data={"themes": [money], "notable": "y", "version": "0"},
        )
    form = worker.get(f"/staff/themes/{round_id}/quotes/{ids[0]}/0").text
    assert "Ring my PA [name] on [phone number] about money" in form
    unredacted = worker.post(
        f"/staff/themes/{round_id}/quotes/{ids[0]}/0",
        data={
            "text": "Ring my PA Sarah on 07700 900123",
            "audience": "board",
            "theme_id": str(money),
        },
    )
    assert "still contains something that could identify someone" in unredacted.text
    approved = worker.post(
        f"/staff/themes/{round_id}/quotes/{ids[0]}/0",
        data={
            "text": "Ring my PA [name] about money",
            "audience": "public",
            "theme_id": str(money),
        },
    )
    assert approved.status_code == 302
    page = worker.get(f"/staff/themes/{round_id}/results").text
    assert "Ring my PA [name] about money" in page
    assert "07700" not in page and "Sarah" not in page
    worker.post("/sign-out")
    # The board reads themes from its snapshot-based dashboard, never the live pages.
    board = logged_in_as(Role.BOARD_MEMBER)
    assert board.get(f"/staff/themes/{round_id}/results").status_code == 403
    assert board.get(f"/staff/themes/{round_id}/export.csv").status_code == 403
    with app.app_context():
        from app.staff.audit.models import AuditEvent

        assert db.session.query(AuditEvent).filter_by(action="quote.approve").count() == 1


def test_previous_round_comparison_uses_theme_keys(app, logged_in_as):
    from datetime import date, timedelta

    from tests.surveys.conftest import make_open_round

    client = logged_in_as(Role.PARTICIPATION_WORKER)
    old = make_open_round(
        app,
        slug="old25",
        opens_on=date.today() - timedelta(days=400),
        closes_on=date.today() - timedelta(days=300),
    )
    with app.app_context():
        add_answers(old, ["money"] * 10)
        services.create_codebook(db.session.get(SurveyRound, old))
    _code_all(app, client, old, lambda t: "money")
    new = round_with_answers(app, ["money"] * 5 + ["my flat"] * 5, slug="new26")
    _code_all(app, client, new, lambda t: "money" if t == "money" else "housing")
    with app.app_context():
        survey_round = db.session.get(SurveyRound, new)
        codebook = services.codebook_for(survey_round)
        assert codebook.source.startswith("Copied from")
        found = results.theme_results(survey_round, codebook)
        rows = {r.key: r for r in found.rows}
        assert rows["money"].share == 50 and rows["money"].previous_share == 100


# --- The attack: a board member solves the results page for its hidden cells ------------------


def _number(text: str):
    text = html.unescape(text).strip()
    if text.isdigit():
        return (int(text), int(text))
    if text.startswith("fewer than"):
        return (0, 4)
    if text.startswith("hidden"):
        return (5, 10_000)
    return None


def _published(page: str):
    """The page's figures: {theme: count}, the base, and each breakdown's columns and cells."""
    main = re.search(r'<table class="govuk-table" id="themes-table">(.*?)</table>', page, re.S)
    base = _number(re.search(r"Data for the chart: (.*?) people", main.group(1)).group(1))
    counts = dict(
        (html.unescape(name).strip(), _number(n))
        for name, n in re.findall(
            r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', main.group(1), re.S
        )
    )
    breakdowns = []
    for body in re.findall(
        r'<caption id="breakdown-\d+"[^>]*>.*?</caption>(.*?)</table>', page, re.S
    ):
        columns = [_number(n) for n in re.findall(r'numeric">[^<]*\((.*?) people\)</th>', body)]
        rows = {
            html.unescape(name).strip(): [
                _number(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)
            ]
            for name, cells in re.findall(r'<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', body, re.S)
        }
        breakdowns.append((columns, rows))
    return base, counts, breakdowns


def _attack(page: str) -> dict[str, tuple[int, int]]:
    base, counts, breakdowns = _published(page)
    names: list[str] = []
    bounds: list[tuple[int, int]] = []

    def var(name, known):
        names.append(name)
        bounds.append(known)
        return len(names) - 1

    b = var("base", base)
    themes = {t: var(t, n) for t, n in counts.items()}
    equal, below = [], []
    for number, (columns, rows) in enumerate(breakdowns):
        cols = [var(f"{number}:column{i}", n) for i, n in enumerate(columns)]
        equal.append({**{c: 1 for c in cols}, b: -1})
        for theme, cells in rows.items():
            ids = [var(f"{number}:{theme}:{i}", n) for i, n in enumerate(cells)]
            equal.append({**{i: 1 for i in ids}, themes[theme]: -1})
            below += [{i: 1, c: -1} for i, c in zip(ids, cols, strict=True)]
        below += [{t: 1, b: -1} for t in themes.values()]
    rows = equal + below
    matrix = np.zeros((len(rows), len(names)))
    for r, coeffs in enumerate(rows):
        for i, c in coeffs.items():
            matrix[r, i] += c
    constraint = LinearConstraint(
        matrix, [0] * len(equal) + [-np.inf] * len(below), [0] * len(rows)
    )
    lb, ub = zip(*bounds, strict=True)
    found = {}
    for i, name in enumerate(names):
        if lb[i] == ub[i]:
            continue
        c = np.zeros(len(names))
        c[i] = 1
        ends = []
        for sign in (1, -1):
            result = milp(sign * c, constraints=[constraint], bounds=Bounds(lb, ub), integrality=1)
            assert result.success, "the page's figures are inconsistent"
            ends.append(round(sign * result.fun))
        found[name] = (ends[0], ends[1])
    return found


def _one_face_to_face_respondent(app, logged_in_as):
    round_id = round_with_answers(app, ["money"] * 10 + ["lonely"] * 6, age=19)
    with app.app_context():
        add_answers(round_id, ["money"] * 6, channel="sms", age=17)
        add_answers(round_id, ["money"], channel="phone", age=22)
    worker = logged_in_as(Role.PARTICIPATION_WORKER)
    _code_all(app, worker, round_id, lambda t: "loneliness" if "lonely" in t else "money")
    return worker.get(f"/staff/themes/{round_id}/results").text


def test_nobody_can_work_out_a_hidden_theme_cell_by_subtraction(app, logged_in_as):
    page = _one_face_to_face_respondent(app, logged_in_as)
    assert "Other ways (fewer than 5 people)" in page  # the one phone answer is not its own column
    assert "Other ages or not known (fewer than 5 people)" in page
    assert "hidden to protect privacy" in page and "means 0 to 4 people" in page
    ranges = _attack(page)
    assert len(ranges) >= 4, "the seeded round should have hidden cells"
    pinned = {name: r for name, r in ranges.items() if r[1] - r[0] < 2}
    assert not pinned, f"hidden cells worked out: {pinned}"


def test_without_secondary_suppression_the_attack_works_out_a_theme_cell(
    app, logged_in_as, monkeypatch
):
    monkeypatch.setattr(Publication, "secondary", False)
    ranges = _attack(_one_face_to_face_respondent(app, logged_in_as))
    assert any(r[1] - r[0] < 2 for r in ranges.values())


def test_a_crafted_question_shows_all_questions_and_partial_coding_is_provisional(
    app, logged_in_as
):
    round_id = round_with_answers(app, ["money"] * 10 + ["my flat"] * 10, age=19)
    worker = logged_in_as(Role.PARTICIPATION_WORKER)
    _code_all(app, worker, round_id, lambda t: "money" if t == "money" else "housing")
    with app.app_context():
        add_answers(round_id, ["more money"] * 5, age=19)  # 20 of 25 coded: 80%
    client = worker
    assert "Provisional: 80% of answers are coded so far" in (
        client.get(f"/staff/themes/{round_id}/results").text
    )
    # A question the menu does not offer is not a view of its own: it is "All questions".
    partial = {"HX-Request": "true"}
    everything = client.get(f"/staff/themes/{round_id}/results", headers=partial).text
    crafted = client.get(f"/staff/themes/{round_id}/results?question=Q99", headers=partial).text
    assert crafted == everything and "Themes in" in crafted
