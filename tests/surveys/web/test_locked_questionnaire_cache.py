"""Public survey pages read a locked questionnaire once per process (surveys/locked_questionnaires).

What a care leaver and the staff running the round would notice if the shared copy went wrong:
answers stored twice or against the wrong question when many people answer at once, a round
that staff closed still taking answers, or one council's wording shown on another's database.
And the point of it: a question page reads the round and the person's response, not the
questionnaire's rows, on every request.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.authority.services import get_settings
from surveys import locked_questionnaires
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.services import close_round
from tests.surveys.web.test_web_survey import ANSWERS, BASE, answer_all


def _statements(app, run) -> list[str]:
    seen: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)
    return seen


def test_a_question_page_reads_the_round_and_the_response_not_the_questions(app, client, round_id):
    assert client.post(f"{BASE}/start").status_code == 302
    for _ in range(2):  # the first reads fill the copies (the settings row is made by the first)
        assert client.get(f"{BASE}/q/Q2").status_code == 200

    seen = _statements(app, lambda: client.get(f"{BASE}/q/Q2"))

    assert not [s for s in seen if re.search(r"\b(FROM|JOIN) question(naire)?\b", s)], seen
    assert not [s for s in seen if s.startswith("SELECT authority_settings.")], seen
    # One statement: the round, when the settings last changed, the response with its answers.
    assert len(seen) == 1, seen
    assert re.search(r"\bJOIN response\b", seen[0]) and re.search(r"\bJOIN answer\b", seen[0])


def test_the_shared_questions_never_join_a_request_session(app, client, round_id):
    """Requests made inside this app context share its session, so a question the answer POST
    took into its session would still be in it here (another thread's session would then refuse
    it: "already attached to session")."""
    with app.app_context():
        check = answer_all(client)
        assert check.status_code == 200
        survey_round = db.session.get(SurveyRound, round_id)
        kept = locked_questionnaires.locked(survey_round.questionnaire_id)
        assert kept is not None
        assert [sa.inspect(q).session for q in kept.questions] == [None] * len(ANSWERS)
        stored = db.session.scalars(sa.select(Answer.question_id)).all()
        codes = dict(db.session.execute(sa.select(Question.id, Question.code)).all())
    assert sorted(codes[q] for q in stored) == sorted(ANSWERS)


def test_many_people_answering_at_once_each_answer_is_stored_once(app, round_id):
    people, errors = 6, []

    def answer() -> None:
        try:
            check = answer_all(app.test_client())
            assert check.status_code == 200, check.status_code
        except Exception as error:  # reported below, with the others
            errors.append(repr(error))

    threads = [threading.Thread(target=answer) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with app.app_context():
        per_response = Counter(db.session.scalars(sa.select(Answer.response_id)))
        responses = db.session.scalar(sa.select(sa.func.count(Response.id)))
    assert responses == people
    assert sorted(per_response.values()) == [len(ANSWERS)] * people


def test_a_round_staff_close_stops_taking_answers_at_once(app, client, round_id):
    assert client.post(f"{BASE}/start").status_code == 302
    assert client.get(f"{BASE}/q/Q2").status_code == 200
    with app.app_context():
        close_round(db.session.get(SurveyRound, round_id))

    page = client.post(f"{BASE}/q/Q2", data={"action": "answer", **ANSWERS["Q2"]})

    assert page.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def _set_duty_phone(app, number: str) -> None:
    with app.app_context():
        settings = get_settings()
        settings.duty_phone = number
        db.session.commit()


def test_a_help_number_an_admin_changes_shows_on_the_next_page(app, client, round_id):
    _set_duty_phone(app, "0300 111 1111")
    assert client.post(f"{BASE}/start").status_code == 302
    assert "0300 111 1111" in client.get(f"{BASE}/q/Q2").text

    _set_duty_phone(app, "0300 222 2222")

    page = client.get(f"{BASE}/q/Q2").text
    assert "0300 222 2222" in page
    assert "0300 111 1111" not in page


def test_a_change_saved_by_another_worker_shows_on_the_next_page(app, client, round_id):
    """Another process's save is seen by the row's ``updated_at`` moving (this process's own
    count of writes knows nothing of it): written here on a connection of its own, as SQL."""
    _set_duty_phone(app, "0300 111 1111")
    assert client.post(f"{BASE}/start").status_code == 302
    assert "0300 111 1111" in client.get(f"{BASE}/q/Q2").text
    with app.app_context():
        engine = sa.create_engine(db.engine.url)
    with engine.begin() as other_worker:
        other_worker.execute(
            sa.text(
                "UPDATE authority_settings SET duty_phone = '0300 333 3333', "
                "updated_at = :later WHERE id = 1"
            ),
            {"later": utcnow() + timedelta(seconds=1)},
        )
    engine.dispose()

    page = client.get(f"{BASE}/q/Q2").text

    assert "0300 333 3333" in page


def test_a_draft_questionnaire_is_never_kept(app, round_id):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        survey_round.questionnaire.status = "draft"
        db.session.commit()
        assert locked_questionnaires.locked(survey_round.questionnaire_id) is None
