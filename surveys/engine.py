"""The survey engine: one set of rules for every channel (web, SMS, paper, import).

Given a response in progress it says what to ask next, validates and stores an answer, and
completes the response. Channels only translate between people and these functions.

Rules that protect the data:
- An answer is stored once per question (a unique constraint); answering again replaces it.
- A date of birth becomes an age in years here and the date is dropped.
- Every free-text answer is screened for safeguarding when saved; a match raises a flag for the
  lead and the channel shows or texts the help-now numbers.
- Completing twice is harmless: the second call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.dates import BirthDateInvalid, BirthDateProblem, age_on, date_of_birth
from app.core.extensions import commit_keeping_loaded, db
from app.core.languages import gettext
from app.core.text import clean_text
from surveys.models import (
    Answer,
    Channel,
    Question,
    QuestionKind,
    Response,
    SurveyRound,
    today,
)
from surveys.safeguarding.services import (
    flag_answer,
    screen_answer,
    screen_text,
    words_to_screen,
)

MAX_TEXT = 2000  # characters in one free-text answer or item
MAX_ITEMS = 10  # "best 3 things": people may send more, and we keep up to this many
MIN_AGE, MAX_AGE = 16, 25
YES_NO_UNSURE = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}


class SurveyError(Exception):
    """Base class: the message is safe and kind enough to show a young person."""


class SurveyClosed(SurveyError):
    pass


class AnswerInvalid(SurveyError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class UnknownQuestion(SurveyError):
    pass


@dataclass
class SaveResult:
    answer: Answer
    flagged: bool = False
    # "likely": show the help page now; "possible": a gentle help panel on the next page.
    level: str | None = None
    notices: list[str] = field(default_factory=list)


def clean_answer(text: str | None, limit: int = MAX_TEXT) -> str:
    """Free text as stored (app.core.text.clean_text), within the answer's length."""
    text = clean_text(text)
    if len(text) > limit:
        raise AnswerInvalid(
            f"Your answer must be {limit} characters or fewer. It is {len(text)} characters now."
        )
    return text


# --- What to ask ------------------------------------------------------------------------


def questions(response: Response) -> list[Question]:
    return response.round.questions


def answers_by_question(response: Response) -> dict[int, Answer]:
    return {a.question_id: a for a in response.answers}


def next_question(response: Response) -> Question | None:
    """The first question not yet answered or skipped, in questionnaire order."""
    done = answers_by_question(response)
    for question in questions(response):
        if question.id not in done:
            return question
    return None


def question_by_code(response: Response, code: str) -> Question:
    for question in questions(response):
        if question.code == code:
            return question
    raise UnknownQuestion("That question is not part of this survey")


def _index(items: list[Question], question: Question) -> int:
    """Where ``question`` is in ``items``, by id: a locked questionnaire's questions may be the
    process's shared copy or the session's own (surveys/locked_questionnaires.py)."""
    for index, item in enumerate(items):
        if item.id == question.id:
            return index
    raise UnknownQuestion("That question is not part of this survey")


def neighbours(response: Response, question: Question) -> tuple[Question | None, Question | None]:
    items = questions(response)
    index = _index(items, question)
    before = items[index - 1] if index > 0 else None
    after = items[index + 1] if index + 1 < len(items) else None
    return before, after


def position(response: Response, question: Question) -> tuple[int, int]:
    """('Question 3 of 9'): the question's number in this questionnaire and how many there are."""
    items = questions(response)
    return _index(items, question) + 1, len(items)


# --- Starting and completing --------------------------------------------------------------


def ensure_open(survey_round: SurveyRound, *, allow_closed: bool = False) -> None:
    if not allow_closed and not survey_round.is_open:
        raise SurveyClosed("This survey is closed. Thank you for wanting to take part.")


def start_response(
    survey_round: SurveyRound,
    channel: Channel,
    *,
    assisted: bool = False,
    resume_hash: str | None = None,
    allow_closed: bool = False,
    commit: bool = True,
) -> Response:
    """A new response. Imports, and keyed forms before the round's data entry deadline
    (``allow_closed``), may arrive after the round closes; web and SMS answers may not.

    ``commit=False`` leaves the response added but unwritten, for a channel that commits it
    with what else the same request writes (an SMS conversation, and the text's MessageSid)."""
    ensure_open(survey_round, allow_closed=allow_closed or channel == Channel.IMPORT)
    response = Response(
        round=survey_round,
        channel=channel.value,
        assisted=assisted,
        resume_hash=resume_hash,
        answers=[],  # known to be none: asking for them later needs no statement
    )
    db.session.add(response)
    if commit:
        commit_keeping_loaded()  # the channel goes on to ask the first question of this round
    return response


def complete(response: Response, *, commit: bool = True) -> Response:
    """Mark the response complete (idempotent: a replayed submit changes nothing).
    ``commit=False`` for a channel that commits it with what else the request writes."""
    if response.is_complete:
        return response
    db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.status == "in_progress")
        .values(status="complete", resume_hash=None)
    )
    if commit:
        db.session.commit()
    db.session.refresh(response)
    return response


# --- Validating and storing ---------------------------------------------------------------


# What the web says for each problem with a date of birth (the rule: app/core/dates.py).
DATE_ERRORS = {
    BirthDateProblem.YEAR_LENGTH: (
        "Enter the year with 4 numbers, like 2007, or 2 numbers, like 07",
        "year",
    ),
    BirthDateProblem.UNCLEAR_CENTURY: (
        "We cannot tell which year you mean. Enter the year with 4 numbers, like 2007",
        "year",
    ),
    BirthDateProblem.NOT_REAL: ("Your date of birth must be a real date", "day"),
    BirthDateProblem.FUTURE: ("Your date of birth must be in the past", "day"),
    BirthDateProblem.TOO_OLD: ("Check the year of your date of birth", "year"),
}


def parse_date_of_birth(
    day: str | None, month: str | None, year: str | None, *, on: date | None = None
) -> int:
    """Validate the GOV.UK three-field date and return the age in years on ``on``.

    The year may have 2 numbers ("3 6 05"), read as the text channel reads it (app/core/dates.py).
    """
    parts = {
        "day": (day or "").strip(),
        "month": (month or "").strip(),
        "year": (year or "").strip(),
    }
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == 3:
        raise AnswerInvalid("Enter your date of birth, or choose 'Skip this question'", "day")
    if missing:
        raise AnswerInvalid(
            f"Your date of birth must include a {' and a '.join(missing)}", missing[0]
        )
    if not all(value.isdigit() for value in parts.values()):
        raise AnswerInvalid("Your date of birth must be written in numbers, like 27 3 2007", "day")
    on = on or today()
    try:
        born = date_of_birth(int(parts["day"]), int(parts["month"]), parts["year"], on)
    except BirthDateInvalid as error:
        message, field_name = DATE_ERRORS[error.problem]
        raise AnswerInvalid(message, field_name) from None
    return age_on(born, on)


def validate(question: Question, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn a channel's raw input into the stored value for the question, or raise AnswerInvalid.

    ``raw`` keys by kind: date_of_birth day/month/year (or age); single_choice choice, other;
    multi_choice choices (list), other; short_items items (list); long_text text;
    yes_no_unsure choice; scale score.
    """
    kind = question.kind_enum
    if kind == QuestionKind.DATE_OF_BIRTH:
        if "age" in raw:
            return {"age": int(raw["age"])}
        return {"age": parse_date_of_birth(raw.get("day"), raw.get("month"), raw.get("year"))}
    if kind == QuestionKind.SINGLE_CHOICE:
        return _choice(question, raw.get("choice"), raw.get("other"))
    if kind == QuestionKind.MULTI_CHOICE:
        chosen = [c for c in raw.get("choices") or [] if c]
        if not chosen:
            raise AnswerInvalid(
                "Choose at least one answer, or choose 'Skip this question'", "choices"
            )
        values = {o["value"]: o for o in question.options}
        if any(c not in values for c in chosen):
            raise AnswerInvalid("Choose from the answers on the list", "choices")
        value: dict[str, Any] = {
            "choices": [o["value"] for o in question.options if o["value"] in chosen]
        }
        if any(values[c].get("other") for c in chosen):
            value["other"] = _other_text(raw.get("other"))
        return value
    if kind == QuestionKind.SHORT_ITEMS:
        items = [clean_answer(i) for i in raw.get("items") or []]
        items = [i for i in items if i]
        if not items:
            raise AnswerInvalid(
                "Write at least one thing, or choose 'Skip this question'", "item-1"
            )
        return {"items": items[:MAX_ITEMS]}
    if kind == QuestionKind.LONG_TEXT:
        text = clean_answer(raw.get("text"))
        if not text:
            raise AnswerInvalid("Write your answer, or choose 'Skip this question'", "text")
        return {"text": text}
    if kind == QuestionKind.YES_NO_UNSURE:
        choice = raw.get("choice")
        if choice not in YES_NO_UNSURE:
            raise AnswerInvalid(
                "Choose yes, no or not sure, or choose 'Skip this question'", "choice"
            )
        return {"choice": choice}
    if kind == QuestionKind.SCALE:
        score = str(raw.get("score") or "").strip()
        if not score.isdigit() or not 0 <= int(score) <= 10:
            raise AnswerInvalid(
                "Choose a number from 0 to 10, or choose 'Skip this question'", "score"
            )
        return {"score": int(score)}
    raise AnswerInvalid("This question cannot be answered here")  # pragma: no cover


def _choice(question: Question, choice: str | None, other: str | None) -> dict[str, Any]:
    if not choice:
        raise AnswerInvalid("Choose an answer, or choose 'Skip this question'", "choice")
    option = next((o for o in question.options if o["value"] == choice), None)
    if option is None:
        raise AnswerInvalid("Choose one of the answers on the list", "choice")
    value: dict[str, Any] = {"choice": choice}
    if option.get("other"):
        value["other"] = _other_text(other)
    return value


def _other_text(text: str | None) -> str:
    cleaned = clean_answer(text, limit=500)
    if not cleaned:
        raise AnswerInvalid("Tell us a little about it, in a few words", "other")
    return cleaned


def free_text(value: dict[str, Any] | None) -> list[str]:
    """Every piece of free text in a stored value (for screening, coding and reports)."""
    if not value:
        return []
    texts = list(value.get("items") or [])
    for key in ("text", "other"):
        if value.get(key):
            texts.append(value[key])
    return texts


def save_answer(
    response: Response,
    question: Question,
    value: dict[str, Any] | None,
    *,
    skipped: bool = False,
    commit: bool = True,
    said: list[str] | None = None,
) -> SaveResult:
    """Store (or replace) the answer to ``question``, screen it, and commit (``commit=False``:
    the answer is only added to the session, to be written with what else the request writes
    at the caller's commit, as a text's reply; the caller looks again if another request got
    in first). ``said``: everything typed with it, of which words the
    answer does not keep (typed and then skipped, an "other" beside another choice) are
    screened too (see flag_words_beside).

    A double click sends the same question twice at once: both requests find no answer stored
    (each read the response's answers before the other wrote) and insert one, and the unique
    (response, question) refuses the later. That one then replaces the answer the other stored,
    as a second click after the first would: stored once, never a 500."""
    try:
        return _save_answer(response, question, value, skipped=skipped, commit=commit, said=said)
    except IntegrityError:
        if not commit:
            raise
        db.session.rollback()  # the answers read before are expired: the next look finds theirs
        return _save_answer(response, question, value, skipped=skipped, commit=commit, said=said)


def _save_answer(
    response: Response,
    question: Question,
    value: dict[str, Any] | None,
    *,
    skipped: bool,
    commit: bool,
    said: list[str] | None = None,
) -> SaveResult:
    if question.questionnaire_id not in response.round.questionnaire_ids:
        raise UnknownQuestion("That question is not part of this survey")
    if response.is_complete and response.channel == Channel.WEB:
        raise SurveyClosed("You have already sent your answers. Thank you.")
    ensure_open(response.round, allow_closed=response.channel != Channel.WEB)
    answer = _stored_answer(response, question)
    if answer is None:
        # By id: the question may be the shared copy of a locked questionnaire, which no
        # request's session may take in (surveys/locked_questionnaires.py).
        answer = Answer(response=response, question_id=question.id)
        db.session.add(answer)
    answer.skipped = skipped
    answer.value = None if skipped else value
    if commit:
        db.session.flush()
    # Uncommitted (a text), the answer is written with the rest of what the text changes, at
    # its one commit: SQLite's write lock is then held for those statements only, not while
    # the reply is worked out (see sms/conversation.py). A flag finds it all the same.
    result = SaveResult(answer=answer)
    if question.kind == QuestionKind.DATE_OF_BIRTH and value and not skipped:
        age = value["age"]
        if not MIN_AGE <= age <= MAX_AGE:
            result.notices.append(
                f"You told us you are {age}. This survey is for care leavers aged 16 to 25, "
                "but you can still carry on and we will read your answers."
            )
    texts = [] if skipped else free_text(value)
    if texts:
        result.level = screen_answer(answer, texts)
    unkept = [word for word in words_to_screen(said or []) if word not in texts]
    if unkept and result.level is None:
        result.level = screen_answer(answer, unkept, said="\n".join(unkept))
    result.flagged = result.level is not None
    if commit:
        commit_keeping_loaded()  # the channel goes on to work out the next question from them
    return result


def flag_words_beside(
    response: Response, question: Question, words: list[str], *, commit: bool = True
) -> str | None:
    """Words sent with an answer that keeps none of them, screened as they were sent: an answer
    refused as invalid ("kill me" in the date of birth, an answer too long), by text a reply to
    a question that keeps no words ("no. he hits me"). A disclosure is flagged on this
    question's answer (a skipped one for now if none is stored, replaced when they answer), the
    words kept on the flag for the lead. Returns the level, or None."""
    unkept = words_to_screen(words)
    if not unkept:
        return None
    result = screen_text(unkept)
    if not result.flagged:
        return None
    answer = _stored_answer(response, question)
    if answer is None:
        answer = _save_answer(response, question, None, skipped=True, commit=False).answer
    level = flag_answer(answer, result, unkept, said="\n".join(unkept))
    if commit:
        commit_keeping_loaded()
    return level


def _stored_answer(response: Response, question: Question) -> Answer | None:
    """The answer already stored for ``question``: from the response's answers when they are
    loaded (the web channel loads them with the response), else one statement. Either way the
    unique (response, question) constraint is what keeps it stored once."""
    if "answers" not in sa.inspect(response).unloaded:
        return answers_by_question(response).get(question.id)
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.response_id == response.id, Answer.question_id == question.id
        )
    )


def answer_summary(
    question: Question, answer: Answer | None, option_label: Callable[[str], str] | None = None
) -> str:
    """A plain-text rendering of an answer (check-your-answers pages, exports), in the page's
    language (English on staff pages); ``option_label`` gives a translated choice's words."""
    label = option_label or question.option_label
    if answer is None:
        return gettext("Not answered yet")
    if answer.skipped or not answer.value:
        return gettext("Skipped")
    value = answer.value
    kind = question.kind_enum
    if kind == QuestionKind.DATE_OF_BIRTH:
        return gettext("Age %(age)s", age=value["age"])
    if kind == QuestionKind.SINGLE_CHOICE:
        text = label(value["choice"])
        return f"{text}: {value['other']}" if value.get("other") else text
    if kind == QuestionKind.MULTI_CHOICE:
        text = "; ".join(label(c) for c in value["choices"])
        return f"{text}: {value['other']}" if value.get("other") else text
    if kind == QuestionKind.SHORT_ITEMS:
        return "\n".join(value["items"])
    if kind == QuestionKind.LONG_TEXT:
        return value["text"]
    if kind == QuestionKind.YES_NO_UNSURE:
        return gettext(YES_NO_UNSURE.get(value["choice"], value["choice"]))
    if kind == QuestionKind.SCALE:
        return str(value["score"])
    return ""  # pragma: no cover
