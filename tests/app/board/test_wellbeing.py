"""Personal well-being (ONS4) on the board: averages and ONS bands through disclosure control,
and a chart beside the reference figures staff entered, with their source under it."""

from __future__ import annotations

import itertools
import re

import sqlalchemy as sa

from app.board import pack, services
from app.board.models import ReferenceFigure
from app.core.charts import svg_bytes
from app.core.disclosure import is_suppressed, protection
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Answer, Response, SurveyRound
from surveys.services import wellbeing_module
from tests.app.board.conftest import make_round

SOURCE = "ONS, Annual Population Survey, 16-24-year-olds, year ending March 2024"


def _with_wellbeing(app, round_id: int, scores: dict[str, list[int | None]]) -> None:
    """Include the module and give the round's responses these scores (None: skipped), in turn."""
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        module = wellbeing_module()
        survey_round.wellbeing_module_id = module.id
        questions = {q.code: q for q in module.questions}
        responses = list(
            db.session.scalars(sa.select(Response).where(Response.round_id == round_id))
        )
        for code, values in scores.items():
            for response, score in zip(responses, values, strict=False):
                skipped = score is None
                value = None if skipped else {"score": score}
                db.session.add(
                    Answer(
                        response=response, question=questions[code], skipped=skipped, value=value
                    )
                )
        db.session.commit()


def _add_references(app, figures: dict[str, float]) -> None:
    with app.app_context():
        for measure, value in figures.items():
            db.session.add(ReferenceFigure(measure=measure, source=SOURCE, percent=value))
        db.session.commit()


def _board(app, round_id: int, band: str = ""):
    return services.dashboard(db.session.get(SurveyRound, round_id), band)


def _rows(table) -> dict[str, list]:
    return {row[0]: row[1:] for row in table.rows}


# 40 people: 10 each of 2, 5, 7 and 9 for life satisfaction; anxiety 0..9 four times over.
LIFE = [2, 5, 7, 9] * 10
ANXIETY = list(range(10)) * 4


def test_averages_and_bands_are_shown_beside_the_reference_figures_with_their_source(app):
    round_id = make_round(app, {"web": 40})
    _with_wellbeing(app, round_id, {"ONS1": LIFE, "ONS2": LIFE, "ONS3": LIFE, "ONS4": ANXIETY})
    _add_references(app, {"ONS1:mean": 7.4, "ONS4:mean": 3.1, "ONS1:low": 5, "ONS4:high": 21})
    with app.test_request_context():
        section = _board(app, round_id).wellbeing
        chart = section.chart
        averages = _rows(chart.table)
        assert averages["Life satisfaction"] == ["5.8", "7.4"]  # (2+5+7+9)/4 = 5.75
        assert averages["Anxiety (higher is worse)"] == ["4.5", "3.1"]  # 0..9
        bands = _rows(section.bands)
        assert bands["Life satisfaction: Low (0 to 4)"] == [10, "25%", "5%"]
        assert bands["Life satisfaction: Very high (9 to 10)"] == [10, "25%", ""]
        assert bands["Anxiety: Very low (0 to 1)"] == [8, "20%", ""]
        assert bands["Anxiety: High (6 to 10)"] == [16, "40%", "21%"]
        assert bands["Anxiety: answered"][0] == 40
        assert f"Compared with: {SOURCE}." in section.source_lines
        assert SOURCE in chart.alt and "Life satisfaction: 5.8" in chart.alt
        assert "Average life satisfaction was 5.8 out of 10, against 7.4" in chart.takeaway
        lines = re.findall(r">([^<]+)</text>", svg_bytes(chart.svg).decode())
        svg = " ".join(" ".join(lines).split())  # the words of the image, line after line
        assert f"Reference figure: {SOURCE}." in svg  # the source line is in the image itself
        assert "Source: Board test round 2026: care leavers who answered" in svg
        html = pack.pack_html(_board(app, round_id))
    assert 'href="#wellbeing"' in html and "<h1>Personal well-being (ONS4)</h1>" in html
    assert SOURCE in html


def test_the_dashboard_page_shows_the_section_and_its_alt_text(app, logged_in_as):
    round_id = make_round(app, {"web": 20})
    _with_wellbeing(app, round_id, {"ONS1": [8] * 20, "ONS4": [2] * 20})
    client = logged_in_as(Role.BOARD_MEMBER)
    page = client.get(f"/board?round={round_id}").text
    assert 'id="wellbeing"' in page and "Personal well-being (ONS4)" in page
    assert re.search(r'<img class="app-chart" src="/board/charts/[0-9a-f]{64}\.svg" alt="Bar', page)
    # A round without the module has no such section.
    other = make_round(app, {"web": 20}, slug="plain26", name="Without the module")
    assert 'id="wellbeing"' not in client.get(f"/board?round={other}").text


def test_a_small_round_hides_small_bands_and_every_band_that_would_give_them_away(app):
    # 30 people: life satisfaction 1 low, 9 medium, 10 high, 10 very high, so the low 1 could
    # be worked out from the others unless one more is hidden; anxiety answered by only 3.
    round_id = make_round(app, {"web": 30})
    life = [3] + [6] * 9 + [8] * 10 + [9] * 10
    _with_wellbeing(app, round_id, {"ONS1": life, "ONS4": [7, 7, 7] + [None] * 27})
    with app.test_request_context():
        section = _board(app, round_id).wellbeing
        bands = _rows(section.bands)
        assert bands["Life satisfaction: Low (0 to 4)"][:2] == ["fewer than 5", "fewer than 5"]
        # No band count from 1 to 4 is shown anywhere, and no column has exactly one hidden
        # cell beside a shown total (which subtraction would give away).
        for label, (count, *_) in bands.items():
            assert not (isinstance(count, int) and 0 < count < 5), label
        for name in ("Life satisfaction", "Worthwhile", "Happiness", "Anxiety"):
            cells = [
                v[0] for k, v in bands.items() if k.startswith(f"{name}: ") and "answered" not in k
            ]
            answered = bands[f"{name}: answered"][0]
            assert not (sum(is_suppressed(c) for c in cells) == 1 and not is_suppressed(answered))
        averages = _rows(section.chart.table)
        # A band's count is hidden, so no average: beside hidden counts it can pin one (below).
        assert averages["Life satisfaction"][0] == "not shown"
        assert averages["Anxiety (higher is worse)"][0] == "not shown"  # 3 answered
        assert bands["Anxiety: answered"][0] == "fewer than 5"
        assert "Anxiety (higher is worse): not shown" in section.chart.alt


BANDS = {  # life satisfaction's ONS bands as the board labels them: (lowest, highest) score
    "Life satisfaction: Low (0 to 4)": (0, 4),
    "Life satisfaction: Medium (5 to 6)": (5, 6),
    "Life satisfaction: High (7 to 8)": (7, 8),
    "Life satisfaction: Very high (9 to 10)": (9, 10),
}


def _counts_an_average_allows(shown: dict, answered: int, mean: float) -> dict[str, set[int]]:
    """The attacker: every count each band can have, given the counts shown (a hidden one from
    0 to everyone) and the average (to one decimal) times those who answered, the sum of their
    scores, which each band's people reach between its lowest and highest score."""
    lowest, highest = answered * (mean - 0.05), answered * (mean + 0.05)
    ranges = [
        range(answered + 1) if is_suppressed(shown[label]) else [int(shown[label])]
        for label in BANDS
    ]
    found: dict[str, set[int]] = {label: set() for label in BANDS}
    for counts in itertools.product(*ranges):
        if sum(counts) != answered:
            continue
        least = sum(n * lo for n, (lo, _) in zip(counts, BANDS.values(), strict=True))
        most = sum(n * hi for n, (_, hi) in zip(counts, BANDS.values(), strict=True))
        if least <= highest and most >= lowest:
            for label, n in zip(BANDS, counts, strict=True):
                found[label].add(n)
    return found


def test_the_average_never_pins_a_hidden_band(app):
    """One person at 4 and four at 6 beside 5 at 8 and 10 at 10: the Low and Medium counts are
    hidden, but the average 8.4 was shown, and only "Low 1" gives it (found by an adversarial
    review). With a band hidden the average is not shown; the attacker is left the counts."""
    round_id = make_round(app, {"web": 20})
    _with_wellbeing(app, round_id, {"ONS1": [4] + [6] * 4 + [8] * 5 + [10] * 10})
    with app.test_request_context():
        section = _board(app, round_id).wellbeing
    shown = {label: row[0] for label, row in _rows(section.bands).items()}
    assert is_suppressed(shown["Life satisfaction: Low (0 to 4)"])
    average = _rows(section.chart.table)["Life satisfaction"][0]
    assert average == "not shown"
    # What the attacker would have done with the average the board used to see:
    pinned = _counts_an_average_allows(shown, 20, 8.4)["Life satisfaction: Low (0 to 4)"]
    assert max(pinned) - min(pinned) < protection()  # 0 or 1: "fewer than 5" said 1


def test_an_average_moves_only_after_five_more_people_answer_that_question(app):
    round_id = make_round(app, {"web": 20})
    _with_wellbeing(app, round_id, {"ONS1": [6] * 20})
    with app.test_request_context():
        first = _rows(_board(app, round_id).wellbeing.chart.table)["Life satisfaction"][0]
    assert first == "6.0"
    # Five more responses (so the board's figures move), only one of them answering ONS1:
    # a new average would give that one person's score away.
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        module = survey_round.wellbeing_module
        ons1 = next(q for q in module.questions if q.code == "ONS1")
        for number in range(5):
            response = Response(round=survey_round, channel="web", status="complete")
            if number == 0:
                response.answers.append(Answer(question=ons1, value={"score": 0}))
            db.session.add(response)
        db.session.commit()
    with app.test_request_context():
        board = _board(app, round_id)
        assert board.headline.responses == 25  # the snapshot moved
        assert _rows(board.wellbeing.chart.table)["Life satisfaction"][0] == "6.0"
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        for _ in range(5):
            response = Response(round=survey_round, channel="web", status="complete")
            response.answers.append(Answer(question=ons1, value={"score": 0}))
            db.session.add(response)
        db.session.commit()
    with app.test_request_context():
        moved = _rows(_board(app, round_id).wellbeing.chart.table)["Life satisfaction"][0]
    assert moved == "4.6"  # 20 sixes and 6 zeros: 120 / 26


def test_an_admin_enters_an_average_with_its_source_and_a_score_over_10_is_refused(
    app, logged_in_as
):
    client = logged_in_as(Role.ADMIN)
    page = client.get("/board/reference-figures")
    assert "Life satisfaction: average score (0 to 10)" in page.text
    assert "Anxiety: High (6 to 10), %" in page.text
    url = "/board/reference-figures"
    refused = client.post(url, data={"measure": "ONS1:mean", "source": SOURCE, "percent": "12"})
    assert "Enter an average score from 0 to 10, like 7.4" in refused.text
    saved = client.post(
        url,
        data={"measure": "ONS1:mean", "source": SOURCE, "percent": "7.45"},
        follow_redirects=True,
    )
    assert SOURCE in saved.text and "7.5" in saved.text  # shown as a score, not a percentage
    assert "7.5%" not in saved.text
