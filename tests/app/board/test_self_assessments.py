"""Self-assessments: scores and change (worked out here from the framework file itself), staff
and young people kept apart, a stale edit refused, the critical friend's ratings, and board
members reading but never writing."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.board.assessments import services
from app.board.assessments.models import AssessmentAnswer, AssessmentRound, SelfAssessment
from app.core.extensions import db
from app.staff.auth.models import Role

FRAMEWORK_FILE = Path(__file__).parents[3] / "app" / "board" / "assessments" / "baker_dixon.toml"
STAFF, YOUNG = "staff", "young-people"


def framework_file() -> dict:
    return tomllib.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))


def statement_keys() -> list[str]:
    return [t["key"] for s in framework_file()["sections"] for t in s["statements"]]


def start(client, name: str, day: date) -> int:
    response = client.post(
        "/board/assessments/new",
        data={
            "framework": "baker-dixon",
            "held_on": [str(day.day), str(day.month), str(day.year)],
            "name": name,
        },
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def answer(client, round_id: int, group: str, scores: dict[str, int | None], **extra):
    """Post the plain form as a browser would: every statement's radio (blank: not scored)."""
    page = client.get(f"/board/assessments/{round_id}/{group}/answers")
    version = re.search(r'name="version"[^>]*value="(\d+)"', page.text)
    assert version, "the form carries the version it was opened at"
    data = {"version": version[1], **extra}
    for index, key in enumerate(statement_keys()):
        value = scores.get(key)
        data[f"s{index}_score"] = "" if value is None else str(value)
    return client.post(f"/board/assessments/{round_id}/{group}/answers", data=data)


def mean(values):
    return sum(values) / len(values) if values else None


def test_scores_and_change_by_statement_and_section(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    keys = statement_keys()
    spring = {k: 1 + (i % 4) for i, k in enumerate(keys)}
    autumn = {k: min(4, v + 1) if i % 3 == 0 else v for i, (k, v) in enumerate(spring.items())}
    autumn[keys[1]] = None  # not scored this time: no change for it, left out of its section
    first = start(client, "Spring", date(2026, 3, 1))
    second = start(client, "Autumn", date(2026, 9, 1))
    assert answer(client, first, STAFF, spring).status_code == 302
    assert answer(client, second, STAFF, autumn).status_code == 302

    with app.app_context():
        view = services.round_view(db.session.get(AssessmentRound, second)).staff
        assert view.earlier_round is not None and view.earlier_round.name == "Spring"
        for section_data, section in zip(framework_file()["sections"], view.sections, strict=True):
            ks = [t["key"] for t in section_data["statements"]]
            now = mean([autumn[k] for k in ks if autumn[k] is not None])
            before = mean([spring[k] for k in ks])
            assert section.score == pytest.approx(now)
            assert section.earlier == pytest.approx(before)
            assert section.change == pytest.approx(now - before)
            for key, statement in zip(ks, section.statements, strict=True):
                expected = None if autumn[key] is None else autumn[key] - spring[key]
                assert statement.change == expected
        scored = [v for v in autumn.values() if v is not None]
        assert view.score == pytest.approx(sum(scored) / len(scored))
        assert view.change == pytest.approx(view.score - mean(list(spring.values())))
        first_section_change = view.sections[0].change

    page = client.get(f"/board/assessments/{second}")
    assert page.status_code == 200
    words = services.change_text(first_section_change)
    assert words in page.text
    assert "no earlier score" in page.text  # the young people have not answered yet
    assert "Staff answers saved (version 1): " in page.text


def test_staff_and_young_people_are_kept_apart(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    keys = statement_keys()
    first = start(client, "Spring", date(2026, 3, 1))
    second = start(client, "Autumn", date(2026, 9, 1))
    answer(client, first, STAFF, dict.fromkeys(keys, 4))
    answer(client, second, YOUNG, dict.fromkeys(keys, 1), people="7")
    answer(client, second, STAFF, dict.fromkeys(keys, 3))

    with app.app_context():
        rows = db.session.execute(
            sa.select(SelfAssessment.respondents, AssessmentAnswer.score)
            .join(AssessmentAnswer)
            .where(SelfAssessment.round_id == second)
        ).all()
        assert {score for group, score in rows if group == "young_people"} == {1}
        assert {score for group, score in rows if group == "staff"} == {3}
        view = services.round_view(db.session.get(AssessmentRound, second))
        # Young people's first scores are compared with nothing, never with staff's spring 4s.
        assert view.young_people.earlier_round is None
        assert view.young_people.change is None
        assert view.young_people.score == 1
        assert view.young_people.assessment.people == 7
        assert view.staff.change == pytest.approx(-1)


def test_a_stale_edit_is_refused_and_keeps_the_first_save(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    keys = statement_keys()
    round_id = start(client, "Spring", date(2026, 3, 1))
    url = f"/board/assessments/{round_id}/{STAFF}/answers"
    opened = client.get(url).text  # a colleague opens the page too, at version 0
    assert 'name="version" type="hidden" value="0"' in opened or 'value="0"' in opened

    assert answer(client, round_id, STAFF, {keys[0]: 4}).status_code == 302
    stale = {"version": "0", "s0_score": "1"}
    refused = client.post(url, data=stale)
    assert refused.status_code == 409
    assert "Someone else saved these answers after you opened this page" in refused.text
    assert "Saved meanwhile: 4 Fully in place" in refused.text

    with app.app_context():
        saved = db.session.scalar(
            sa.select(AssessmentAnswer.score).where(AssessmentAnswer.statement == keys[0])
        )
        assert saved == 4
        edits = [e.text for e in db.session.get(AssessmentRound, round_id).edits]
        assert sum("answers saved" in t for t in edits) == 1

    # The refused page now carries the current version: saving it again is a deliberate choice.
    assert 'value="1"' in refused.text
    again = client.post(url, data={"version": "1", "s0_score": "1"})
    assert again.status_code == 302


def test_critical_friend_ratings_from_0_to_10_with_editable_labels(app, logged_in_as):
    client = logged_in_as(Role.ADMIN)
    round_id = start(client, "Spring", date(2026, 3, 1))
    url = f"/board/assessments/{round_id}/critical-friend"
    base = {
        "version": "0",
        "rating_now_label": "How well we do now",
        "rating_improving_label": "How well the council is improving",
    }
    too_high = client.post(url, data={**base, "rating_now": "11"})
    assert too_high.status_code == 400
    assert "Enter a rating from 0 to 10" in too_high.text
    saved = client.post(
        url, data={**base, "rating_now": "6", "comment_now": "Better", "rating_improving": "8"}
    )
    assert saved.status_code == 302
    page = client.get(f"/board/assessments/{round_id}").text
    assert "How well we do now" in page and "6 out of 10" in page and "8 out of 10" in page
    assert client.post(url, data={**base, "rating_now": "2"}).status_code == 409  # stale


def test_board_members_read_but_cannot_write(app, logged_in_as):
    with app.app_context():
        created = services.create_round("baker-dixon", date(2026, 3, 1), "Spring")
        round_id = created.id
    client = logged_in_as(Role.BOARD_MEMBER)
    assert client.get("/board/assessments").status_code == 200
    page = client.get(f"/board/assessments/{round_id}")
    assert page.status_code == 200
    assert "Enter or change" not in page.text
    for url in (
        "/board/assessments/new",
        f"/board/assessments/{round_id}/staff/answers",
        f"/board/assessments/{round_id}/young-people/answers",
        f"/board/assessments/{round_id}/critical-friend",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"version": "0", "s0_score": "1"}).status_code == 403, url
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentAnswer)) == 0


def test_frameworks_ship_as_data_and_a_broken_file_is_refused():
    from app.board.assessments.frameworks import FrameworkError, frameworks, parse

    shipped = frameworks()
    assert len(shipped["baker-dixon"].sections) == 10  # the guide's ten areas
    assert [s.title for s in shipped["charter"].sections][:3] == [
        "To respect and honour your identity",
        "To believe in you",
        "To listen to you",
    ]
    assert len(shipped["charter"].sections) == 7  # the Charter's seven promises
    assert all(not f.verified and f.wording_note for f in shipped.values())
    broken = framework_file()
    broken["sections"][1]["statements"][0]["key"] = broken["sections"][0]["statements"][0]["key"]
    with pytest.raises(FrameworkError, match="its own key"):
        parse(broken)
