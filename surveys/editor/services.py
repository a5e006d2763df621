"""The rules for changing a questionnaire version.

Only a draft version changes. A version is locked when a round opens with it (see
``surveys.services.open_round``), so results always say which wording people saw; to change a
locked version, staff copy it into a new draft (``surveys.services.copy_to_draft``).

Question codes ("Q4", "L1") are what results are compared by across versions, so a question keeps
its code for life and its kind never changes: a different question gets a new code. For the same
reason each answer on a list keeps its number ("value"), and staff see and edit that number.
Local questions get codes "L1", "L2", ... never reused within a questionnaire's versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.extensions import db
from app.core.text import clean_text
from app.staff.audit.services import record
from surveys.editor.sms import UCS_2, non_gsm_characters, sms_segments
from surveys.engine import MAX_ITEMS
from surveys.models import Question, QuestionKind, Questionnaire, RoundStatus, SurveyRound
from surveys.services import BUILT_IN, load_questionnaire_file

LOCKED_MESSAGE = (
    "This version has been used in a survey round, so it cannot change. "
    "Copy it to make a new version."
)
KIND_LABELS: dict[QuestionKind, str] = {
    QuestionKind.SINGLE_CHOICE: "One answer from a list",
    QuestionKind.MULTI_CHOICE: "One or more answers from a list",
    QuestionKind.SHORT_ITEMS: "A few short answers, like 'the best 3 things'",
    QuestionKind.LONG_TEXT: "A longer answer in their own words",
    QuestionKind.YES_NO_UNSURE: "Yes, no or not sure",
    QuestionKind.SCALE: "A score from 0 to 10",
    QuestionKind.DATE_OF_BIRTH: "Date of birth (we keep only the age)",
}
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE}
CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,15}")
OPTION_LINE = re.compile(r"(\d{1,3})\s*:\s*(.*)")
OTHER_MARK = re.compile(r"\s*\[other\]\s*$", re.IGNORECASE)
MAX_OPTIONS = 30
MAX_OPTION_LABEL = 200
SMS_MAX = 480  # the column's size: three texts


class QuestionnaireLocked(Exception):
    """The version has been used in a round, so it cannot change."""

    def __init__(self, questionnaire: Questionnaire):
        super().__init__(LOCKED_MESSAGE)
        self.questionnaire = questionnaire


class QuestionInvalid(ValueError):
    """A change cannot be saved as asked; the message says how to fix it, ``field`` where."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QuestionWording:
    """Everything staff may change about a question (its code and kind never change)."""

    web_text: str
    section: str = ""
    hint: str = ""
    sms_text: str = ""
    paper_text: str = ""
    options_text: str = ""
    max_items: int = 3
    scale_min_label: str = ""
    scale_max_label: str = ""


# --- Reading ---------------------------------------------------------------------------------


def is_locked(questionnaire: Questionnaire) -> bool:
    """Locked by status, or (belt and braces) used by a round that has opened."""
    if questionnaire.is_locked:
        return True
    opened = sa.select(SurveyRound.id).where(
        SurveyRound.questionnaire_id == questionnaire.id,
        SurveyRound.status != RoundStatus.DRAFT.value,
    )
    return db.session.scalar(opened.limit(1)) is not None


def rounds_using(questionnaire_ids: list[int]) -> dict[int, int]:
    """How many rounds use each version (draft rounds included)."""
    if not questionnaire_ids:
        return {}
    rows = db.session.execute(
        sa.select(SurveyRound.questionnaire_id, sa.func.count(SurveyRound.id))
        .where(SurveyRound.questionnaire_id.in_(questionnaire_ids))
        .group_by(SurveyRound.questionnaire_id)
    )
    return {questionnaire_id: count for questionnaire_id, count in rows}


def built_in_missing() -> bool:
    return (
        db.session.scalar(sa.select(Questionnaire.id).where(Questionnaire.key == BUILT_IN)) is None
    )


def add_built_in() -> Questionnaire:
    """Load the shipped New Belongings questionnaire as version 1 (once)."""
    missing = built_in_missing()
    questionnaire = load_questionnaire_file()
    if missing:
        record("questionnaire.load", questionnaire, detail=questionnaire.label)
        db.session.commit()
    return questionnaire


def question_by_code(questionnaire: Questionnaire, code: str) -> Question | None:
    return next((q for q in questionnaire.questions if q.code == code), None)


def next_local_code(questionnaire: Questionnaire) -> str:
    """The next free local code ("L1", "L2", ...) across every version of the questionnaire."""
    codes = db.session.scalars(
        sa.select(Question.code)
        .join(Questionnaire)
        .where(Questionnaire.key == questionnaire.key, Question.code.like("L%"))
    )
    numbers = [int(code[1:]) for code in codes if code[1:].isdigit()]
    return f"L{max(numbers, default=0) + 1}"


def options_as_text(options: list[dict]) -> str:
    """Options as staff edit them: one a line, "number: label", " [other]" on the describe one."""
    return "\n".join(
        f"{o['value']}: {o['label']}{' [other]' if o.get('other') else ''}" for o in options or []
    )


def sms_warning(text: str) -> str | None:
    """A plain-English warning when the SMS wording takes more than one text, else None."""
    encoding, segments = sms_segments(text)
    if segments <= 1:
        return None
    warning = f"The text message wording will be sent as {segments} texts, not 1."
    if encoding == UCS_2:
        shown = " ".join(non_gsm_characters(text)[:5])
        warning += (
            f" It has characters that phones cannot send in a plain text ({shown}), so one text"
            " holds only 70 characters. Use straight quotes (') and no emoji to fit 160."
        )
    else:
        warning += " One text holds 160 characters."
    return warning


# --- Changing a draft ------------------------------------------------------------------------


def _ensure_draft(questionnaire: Questionnaire) -> None:
    if is_locked(questionnaire):
        raise QuestionnaireLocked(questionnaire)


def tidy(text: str | None, limit: int, label: str, field: str | None = None) -> str:
    """Wording as stored (app.core.text.clean_text), within its length."""
    text = clean_text(text)
    if len(text) > limit:
        raise QuestionInvalid(
            f"{label} must be {limit} characters or fewer. It is {len(text)} now.", field
        )
    return text


def parse_options(text: str) -> list[dict]:
    """Turn the options box into stored options; number lines without one with the next free."""
    options: list[dict] = []
    for raw in (text or "").splitlines():
        line = tidy(raw, 1000, "Each answer", "options_text")
        if not line:
            continue
        other = bool(OTHER_MARK.search(line))
        line = OTHER_MARK.sub("", line)
        match = OPTION_LINE.fullmatch(line)
        value, label = (match[1], match[2].strip()) if match else (None, line)
        if not label:
            raise QuestionInvalid(f"Write the answer after '{value}:'", "options_text")
        if len(label) > MAX_OPTION_LABEL:
            raise QuestionInvalid(
                f"Each answer must be {MAX_OPTION_LABEL} characters or fewer", "options_text"
            )
        options.append({"value": value, "label": label, "other": other})
    if len(options) > MAX_OPTIONS:
        raise QuestionInvalid(f"A list can have up to {MAX_OPTIONS} answers", "options_text")
    numbers = [o["value"] for o in options if o["value"] is not None]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1}, key=int)
    if repeated:
        raise QuestionInvalid(
            f"Give each answer its own number: {', '.join(repeated)} is used more than once",
            "options_text",
        )
    if sum(o["other"] for o in options) > 1:
        raise QuestionInvalid("Mark only one answer with [other]", "options_text")
    free = max((int(n) for n in numbers), default=0)
    for option in options:
        if option["value"] is None:
            free += 1
            option["value"] = str(free)
        if not option["other"]:
            del option["other"]
    return options


def _apply(question: Question, wording: QuestionWording) -> list[str]:
    """Check and copy ``wording`` onto ``question``; return the names of the fields changed."""
    kind = question.kind_enum
    values: dict[str, Any] = {
        "web_text": tidy(wording.web_text, 1000, "The question", "web_text"),
        "section": tidy(wording.section, 100, "The section", "section"),
        "hint": tidy(wording.hint, 1000, "The hint", "hint"),
        "sms_text": tidy(wording.sms_text, SMS_MAX, "The text message wording", "sms_text"),
        "paper_text": tidy(wording.paper_text, 1000, "The paper wording", "paper_text"),
        "scale_min_label": tidy(wording.scale_min_label, 60, "The label for 0", "scale_min_label"),
        "scale_max_label": tidy(wording.scale_max_label, 60, "The label for 10", "scale_max_label"),
        "max_items": wording.max_items,
        "options": parse_options(wording.options_text),
    }
    if not values["web_text"]:
        raise QuestionInvalid("Enter the question as people will see it online", "web_text")
    if kind in CHOICE_KINDS and len(values["options"]) < 2:
        raise QuestionInvalid("Give at least 2 answers to choose from, one a line", "options_text")
    if kind not in CHOICE_KINDS and values["options"]:
        raise QuestionInvalid(
            "Only questions with answers to choose from have a list of answers. "
            "Leave the answers empty.",
            "options_text",
        )
    if kind != QuestionKind.SHORT_ITEMS:
        values["max_items"] = question.max_items or 3
    elif not 1 <= values["max_items"] <= MAX_ITEMS:
        raise QuestionInvalid(f"Ask for between 1 and {MAX_ITEMS} things", "max_items")
    if kind != QuestionKind.SCALE:
        values["scale_min_label"] = values["scale_max_label"] = ""
    changed = [name for name, value in values.items() if getattr(question, name) != value]
    for name in changed:
        setattr(question, name, values[name])
    return changed


def update_details(
    questionnaire: Questionnaire, *, title: str, introduction: str, closing: str
) -> Questionnaire:
    """Change the title and the words before the first and after the last question."""
    _ensure_draft(questionnaire)
    title = tidy(title, 200, "The title", "title")
    if not title:
        raise QuestionInvalid("Enter a title", "title")
    questionnaire.title = title
    questionnaire.introduction = tidy(introduction, 5000, "The introduction", "introduction")
    questionnaire.closing = tidy(closing, 2000, "The closing words", "closing")
    record("questionnaire.update", questionnaire, detail=questionnaire.label)
    db.session.commit()
    return questionnaire


def add_question(
    questionnaire: Questionnaire, code: str, kind: QuestionKind, wording: QuestionWording
) -> Question:
    """Add a question at the end of a draft version."""
    _ensure_draft(questionnaire)
    code = tidy(code, 16, "The code", "code").upper()
    if not CODE_PATTERN.fullmatch(code):
        raise QuestionInvalid(
            "Enter a code of up to 16 letters and numbers, starting with a letter, like L1",
            "code",
        )
    if question_by_code(questionnaire, code):
        raise QuestionInvalid(f"{code} is already used in this version. Choose another.", "code")
    question = Question(
        questionnaire_id=questionnaire.id,
        position=len(questionnaire.questions) + 1,
        code=code,
        kind=kind.value,
        options=[],
        max_items=3,
    )
    _apply(question, wording)
    questionnaire.questions.append(question)
    record("question.add", questionnaire, detail=f"version {questionnaire.version}: {code} added")
    try:
        db.session.commit()
    except IntegrityError:  # someone added the same code a moment ago
        db.session.rollback()
        raise QuestionInvalid(
            f"{code} is already used in this version. Choose another.", "code"
        ) from None
    return question


def update_question(question: Question, wording: QuestionWording) -> list[str]:
    """Change a question's wording, hint, texts and answers; return the fields changed."""
    questionnaire = question.questionnaire
    _ensure_draft(questionnaire)
    changed = _apply(question, wording)
    if changed:
        record(
            "question.update",
            questionnaire,
            detail=f"version {questionnaire.version}: {question.code} ({', '.join(changed)})",
        )
    db.session.commit()
    return changed


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions, start=1):
        question.position = position


def move_question(question: Question, direction: str) -> bool:
    """Move a question one place "up" or "down"; False if it is already at that end."""
    questionnaire = question.questionnaire
    _ensure_draft(questionnaire)
    questions = sorted(questionnaire.questions, key=lambda q: q.position)
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(questions):
        return False
    questions[index], questions[other] = questions[other], questions[index]
    _renumber(questions)
    record(
        "question.move",
        questionnaire,
        detail=f"version {questionnaire.version}: {question.code} {direction} to {other + 1}",
    )
    db.session.commit()
    return True


def remove_question(question: Question) -> str:
    """Remove a question from a draft version; return its code."""
    questionnaire = question.questionnaire
    _ensure_draft(questionnaire)
    code = question.code
    questionnaire.questions.remove(question)
    _renumber(sorted(questionnaire.questions, key=lambda q: q.position))
    record("question.remove", questionnaire, detail=f"version {questionnaire.version}: {code}")
    db.session.commit()
    return code
