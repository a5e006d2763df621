"""The 2026 edition: the 2015 questionnaire but Q3, which keeps how a person describes themself.

On every channel a reply like "non binary" is stored as given (Other: "non binary") in a 2026
round, where the faithful 2015 round (Male / Female only) reads it as skipped by text.
"""

from __future__ import annotations

import tomllib

import sqlalchemy as sa

from app.core.extensions import db
from surveys.models import Answer, SurveyRound
from surveys.paper.pdf import forms_html
from surveys.rounds.services import questionnaire_choices
from surveys.services import EDITION_2026, QUESTIONNAIRES_DIR
from surveys.sms.cli import load_questions
from surveys.sms.parsing import Command, read_reply
from tests.surveys.conftest import SLUG, make_open_round

EDITION_FILE = QUESTIONNAIRES_DIR / f"{EDITION_2026}.toml"


def _questions(name: str) -> dict[str, dict]:
    data = tomllib.loads((QUESTIONNAIRES_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return {q["code"]: q for q in data["questions"]}


def test_the_2026_edition_differs_from_2015_only_in_q3():
    old, new = _questions("new-belongings-2015"), _questions(EDITION_2026)
    assert list(old) == list(new)
    assert [code for code in old if old[code] != new[code]] == ["Q3"]
    labels = [o["label"] for o in new["Q3"]["options"]]
    assert labels == ["Male", "Female", "In another way (you can say how)", "Prefer not to say"]
    assert [o["label"] for o in old["Q3"]["options"]] == ["Male", "Female"]  # still faithful


def test_a_round_can_choose_either_edition(app):
    with app.app_context():
        labels = [label for _id, label in questionnaire_choices()]
    assert any("2026 edition" in label for label in labels)
    assert any("2026" not in label for label in labels)


def test_by_text_non_binary_is_kept_in_2026_and_skipped_in_2015():
    q3_2026 = load_questions(EDITION_FILE)["Q3"]
    q3_2015 = load_questions()["Q3"]
    for reply in ("non binary", "non-binary", "nb", "enby"):
        reading = read_reply(q3_2026, reply)
        assert reading.command == Command.ANSWER, reply
        assert reading.raw == {"choice": "3", "other": reply}
        assert read_reply(q3_2015, reply).command == Command.SKIP
    assert read_reply(q3_2026, "prefer not to say").raw == {"choice": "4"}
    assert read_reply(q3_2026, "3 agender").raw == {"choice": "3", "other": "agender"}
    assert read_reply(q3_2026, "girl").raw == {"choice": "2"}


def test_on_the_web_q3_offers_another_way_and_stores_the_words(app, client):
    make_open_round(app, edition=EDITION_2026)
    client.post(f"/s/{SLUG}/start")
    page = client.get(f"/s/{SLUG}/q/Q3").text
    assert "In another way (you can say how)" in page and "Prefer not to say" in page
    answer = {"action": "answer", "choice": "3", "other": "non binary"}
    assert client.post(f"/s/{SLUG}/q/Q3", data=answer).status_code == 302
    with app.app_context():
        [stored] = db.session.scalars(sa.select(Answer)).all()
    assert stored.value == {"choice": "3", "other": "non binary"}


def test_the_paper_form_prints_the_2026_choices_with_a_line_to_say_how(app):
    round_id = make_open_round(app, edition=EDITION_2026)
    with app.test_request_context():
        html = forms_html(db.session.get(SurveyRound, round_id), [1], large_print=False)
    assert "In another way (you can say how)" in html and "Prefer not to say" in html
