"""Results and charts: counts of people per theme, with cells under 5 suppressed."""

from __future__ import annotations

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
    worker.post("/sign-out")
    board = logged_in_as(Role.BOARD_MEMBER)
    page = board.get(f"/staff/themes/{round_id}/results").text
    assert "Ring my PA [name] about money" in page
    assert "07700" not in page and "Sarah" not in page
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
