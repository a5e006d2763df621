"""The editor's rules: drafts change, locked versions never do, every change is audited."""

from __future__ import annotations

import tomllib

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from surveys.editor import services as editor
from surveys.editor.services import QuestionInvalid, QuestionnaireLocked, QuestionWording
from surveys.models import QuestionKind, Questionnaire
from surveys.services import QUESTIONNAIRES_DIR, copy_to_draft, load_questionnaire_file
from tests.surveys.questionnaires.helpers import lock

BUILT_IN_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q11", "Q12"]


def _wording(question, **changes) -> QuestionWording:
    fields = {
        "web_text": question.web_text,
        "section": question.section,
        "hint": question.hint,
        "sms_text": question.sms_text,
        "paper_text": question.paper_text,
        "options_text": editor.options_as_text(question.options),
        "max_items": question.max_items,
        "scale_min_label": question.scale_min_label,
        "scale_max_label": question.scale_max_label,
    }
    return QuestionWording(**{**fields, **changes})


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_copy_makes_draft_version_2_and_leaves_the_original_alone(app):
    with app.app_context():
        original = load_questionnaire_file()
        draft = copy_to_draft(original)
        editor.update_question(
            editor.question_by_code(draft, "Q4"),
            _wording(editor.question_by_code(draft, "Q4"), web_text="Best things?"),
        )
        original = db.session.get(Questionnaire, original.id)
        assert (draft.version, draft.status, draft.based_on_id) == (2, "draft", original.id)
        assert [q.code for q in draft.questions] == BUILT_IN_CODES
        assert editor.question_by_code(original, "Q4").web_text == (
            "What are the best 3 things about leaving care?"
        )


def test_editing_wording_and_options_keeps_the_answer_numbers(app):
    with app.app_context():
        draft = copy_to_draft(load_questionnaire_file())
        q2 = editor.question_by_code(draft, "Q2")
        text = editor.options_as_text(q2.options).replace("Other [other]", "Something else [other]")
        changed = editor.update_question(q2, _wording(q2, options_text=text, hint="Pick one"))
        assert changed == ["hint", "options"]
        assert q2.options[-1] == {"value": "6", "label": "Something else", "other": True}
        assert [o["value"] for o in q2.options] == ["1", "2", "3", "4", "5", "6"]
        assert "question.update" in _actions()


def test_options_without_numbers_get_the_next_free_and_mistakes_are_explained(app):
    assert editor.parse_options("1: Yes\nNo\n\n Not sure [OTHER] ") == [
        {"value": "1", "label": "Yes"},
        {"value": "2", "label": "No"},
        {"value": "3", "label": "Not sure", "other": True},
    ]
    with pytest.raises(QuestionInvalid, match="2 is used more than once"):
        editor.parse_options("2: A\n2: B")
    with pytest.raises(QuestionInvalid, match="only one"):
        editor.parse_options("A [other]\nB [other]")


def test_add_a_local_question_with_the_next_free_code(app):
    with app.app_context():
        draft = copy_to_draft(load_questionnaire_file())
        assert editor.next_local_code(draft) == "L1"
        wording = QuestionWording(
            web_text="Do you have someone to count on?",
            options_text="Yes\nNo\nSometimes",
        )
        question = editor.add_question(draft, "l1", QuestionKind.SINGLE_CHOICE, wording)
        assert (question.code, question.position) == ("L1", 10)
        assert [q.code for q in draft.questions] == [*BUILT_IN_CODES, "L1"]
        assert editor.next_local_code(draft) == "L2"
        with pytest.raises(QuestionInvalid, match="already used"):
            editor.add_question(draft, "L1", QuestionKind.LONG_TEXT, QuestionWording("Again?"))
        with pytest.raises(QuestionInvalid, match="at least 2 answers"):
            editor.add_question(draft, "L2", QuestionKind.MULTI_CHOICE, QuestionWording("Which?"))


def test_move_and_remove_renumber_the_questions(app):
    with app.app_context():
        draft = copy_to_draft(load_questionnaire_file())
        assert editor.move_question(editor.question_by_code(draft, "Q3"), "up")
        draft = db.session.get(Questionnaire, draft.id)
        assert [q.code for q in draft.questions][:3] == ["Q1", "Q3", "Q2"]
        assert not editor.move_question(editor.question_by_code(draft, "Q12"), "down")
        editor.remove_question(editor.question_by_code(draft, "Q5"))
        draft = db.session.get(Questionnaire, draft.id)
        assert "Q5" not in [q.code for q in draft.questions]
        assert [q.position for q in draft.questions] == list(range(1, 9))
        assert {"question.move", "question.remove"} <= set(_actions())


def test_a_locked_version_refuses_every_change(app):
    with app.app_context():
        questionnaire_id = load_questionnaire_file().id
    lock(app, questionnaire_id)
    with app.app_context():
        locked = db.session.get(Questionnaire, questionnaire_id)
        q4 = editor.question_by_code(locked, "Q4")
        attempts = [
            lambda: editor.update_question(q4, _wording(q4, web_text="Changed")),
            lambda: editor.add_question(
                locked, "L1", QuestionKind.LONG_TEXT, QuestionWording("New?")
            ),
            lambda: editor.move_question(q4, "up"),
            lambda: editor.remove_question(q4),
            lambda: editor.update_details(locked, title="New", introduction="", closing=""),
        ]
        for attempt in attempts:
            with pytest.raises(QuestionnaireLocked):
                attempt()
            db.session.rollback()
    with app.app_context():
        locked = db.session.get(Questionnaire, questionnaire_id)
        assert [q.code for q in locked.questions] == BUILT_IN_CODES
        assert locked.title == "New Belongings care leaver survey"
        q4 = editor.question_by_code(locked, "Q4")
        assert q4.web_text == "What are the best 3 things about leaving care?"


def test_every_channel_asks_the_guides_question_6_about_independence():
    """Channels stay comparable: web, text and paper all ask what the guide asks (Appendix A)."""
    data = tomllib.loads(
        (QUESTIONNAIRES_DIR / "new-belongings-2015.toml").read_text(encoding="utf-8")
    )
    (q6,) = [q for q in data["questions"] if q["code"] == "Q6"]
    for channel in ("web_text", "sms_text", "paper_text"):
        assert "better prepared for independence" in q6[channel], channel
