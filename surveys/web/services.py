"""Web channel rules: which response a browser is answering, and save-and-resume codes.

A browser holds its place in the signed session cookie as a resume code, never a response id.
The database keeps only an HMAC of the code, and only while the response is in progress: once the
answers are sent, or the round closes, the code leads nowhere. No account is needed.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, render_template, request, session
from flask_wtf.csrf import generate_csrf

from app.core import fragments, languages
from app.core.extensions import db
from app.staff.authority.services import get_settings
from app.staff.template_context import chrome_key
from surveys import completion, translations
from surveys.engine import start_response
from surveys.models import Answer, Channel, Question, Response, SurveyRound
from surveys.safeguarding import services as safeguarding
from surveys.services import public_round, resumable
from surveys.translations import QuestionnaireWording, QuestionWording
from surveys.web import sign_ups

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
SESSION_KEY = "surveys"


def new_resume_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:12]}"


def code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def _place(slug: str) -> dict:
    return session.get(SESSION_KEY, {}).get(slug, {})


def _set_place(slug: str, place: dict | None) -> None:
    places = dict(session.get(SESSION_KEY, {}))
    if place is None:
        places.pop(slug, None)
    else:
        places[slug] = place
    session[SESSION_KEY] = places


def open_round(slug: str) -> SurveyRound | None:
    """The round a survey page is about, read with the response this browser holds the code of
    (in the same statement: one round trip, not two), which ``current_response`` then gives
    without asking the database again."""
    code = _place(slug).get("code")
    found = public_round(slug, code_hash(code) if code else None)
    if found is None:
        return None
    survey_round, response = found
    g.survey_place = (survey_round.id, code, response)
    return survey_round


def current_response(survey_round: SurveyRound) -> Response | None:
    """The in-progress response this browser is answering in this round, if any."""
    code = _place(survey_round.slug).get("code")
    if not code:
        return None
    read = g.get("survey_place")
    if read is not None and read[:2] == (survey_round.id, code):
        response = read[2]  # read with the round, this request
        return response if response is None or response.status == "in_progress" else None
    return find_by_code(survey_round, code)


@functools.cache
def _by_code() -> sa.Select[tuple[Response]]:
    """Built once, when first used (see surveys.services.round_by_slug_statement); with its
    answers in the same statement: every question page reads them."""
    return (
        sa.select(Response)
        .where(resumable(sa.bindparam("round_id")))
        .options(so.joinedload(Response.answers))
    )


def find_by_code(survey_round: SurveyRound, code: str) -> Response | None:
    params = {"round_id": survey_round.id, "resume_hash": code_hash(code)}
    return db.session.scalars(_by_code(), params).unique().first()


def begin(survey_round: SurveyRound) -> Response:
    """Start answering, or carry on with this browser's response (a double-click starts one)."""
    existing = current_response(survey_round)
    if existing:
        return existing
    code = new_resume_code()
    response = start_response(survey_round, Channel.WEB, resume_hash=code_hash(code))
    _set_place(survey_round.slug, {"code": code})
    return response


def resume(survey_round: SurveyRound, code: str) -> Response | None:
    response = find_by_code(survey_round, code)
    if response:
        _set_place(survey_round.slug, {"code": normalise_code(code)})
    return response


def resume_code(survey_round: SurveyRound) -> str | None:
    return _place(survey_round.slug).get("code")


def mark_sent(survey_round: SurveyRound) -> None:
    """Forget the resume code; remember only that this browser has sent its answers.

    A browser that came by a personal invitation link seals a completion notice with its code
    and forgets the code; the response is not touched (surveys/completion.py).
    """
    completion.seal_from_session(survey_round)
    told = _place(survey_round.slug).get("help")
    _set_place(survey_round.slug, {"sent": True, **({"help": True} if told else {})})


def has_sent(survey_round: SurveyRound) -> bool:
    return bool(_place(survey_round.slug).get("sent"))


def flag_words_sent_to_closed(survey_round: SurveyRound, words: list[str]) -> bool:
    """Flag a risk in words posted to a round that closed while they were answering: no answer
    can be kept, so the flag keeps the words and the round. Whether it was flagged."""
    level = safeguarding.flag_words(words, survey_round.id, origin="closed")
    if level is None:
        return False
    db.session.commit()
    remember_disclosure(survey_round, level)
    return True


def offer_help_for(survey_round: SurveyRound, words: list[str]) -> bool:
    """Help for a risk in words typed where no flag is raised at once: a name typed on the
    keep-in-touch form, whose flag is raised with the sign-up when its batch is written
    (surveys/web/sign_ups.py), far from the answers: a flag raised now, with the words that are
    also the sign-up's name, would sit straight after this person's response. Whether help
    is offered."""
    typed = safeguarding.words_to_screen(words)
    result = safeguarding.screen_text(typed) if typed else None
    if result is None or not result.flagged:
        return False
    remember_disclosure(survey_round, result.level or "possible")
    return True


SIGN_UP_WORDS = 500  # characters of a refused form's name kept: within the sealed box's padding


def keep_words_for_lead(survey_round: SurveyRound, name: str) -> None:
    """A keep-in-touch form refused (no consent, a bad email) whose name showed a risk: its
    words are sealed like a sign-up, to reach the lead as a flag with the batch (see
    offer_help_for), and are never written as one."""
    sign_ups.seal(
        sign_ups.SignUp(
            round_id=survey_round.id,
            kind=sign_ups.WORDS_ONLY,
            name=name.strip()[:SIGN_UP_WORDS],
            phone="",
            email="",
            consent=False,
        )
    )
    db.session.commit()


def remember_disclosure(survey_round: SurveyRound, level: str) -> None:
    """After a flagged answer: the help page thanks them ("likely"), or the next page offers a
    gentle help panel ("possible"); the thank-you page repeats the help either way."""
    place = dict(_place(survey_round.slug))
    place["help"] = True
    place["told" if level == "likely" else "gentle"] = True
    _set_place(survey_round.slug, place)


def _take(survey_round: SurveyRound, key: str) -> bool:
    place = dict(_place(survey_round.slug))
    if not place.pop(key, False):
        return False
    _set_place(survey_round.slug, place)
    return True


def take_told(survey_round: SurveyRound) -> bool:
    """Whether the help page follows a disclosure (once): only then does it say thank you."""
    return _take(survey_round, "told")


def take_gentle_help(survey_round: SurveyRound) -> bool:
    return _take(survey_round, "gentle")


def disclosed(survey_round: SurveyRound) -> bool:
    return bool(_place(survey_round.slug).get("help"))


def save_contact_request(
    survey_round: SurveyRound, kind: str, name: str, phone: str, email: str, consent: bool
) -> None:
    """Keep a sign-up sealed, apart from the answers, until the daily batch writes it where
    staff see it (surveys/web/sign_ups.py): never written next to this browser's answers."""
    sign_ups.seal(
        sign_ups.SignUp(
            round_id=survey_round.id,
            kind=kind,
            name=name.strip(),
            phone=(phone or "").strip(),
            email=(email or "").strip(),
            consent=consent,
        )
    )
    db.session.commit()


# Parts of a stored answer that hold a person's own words: never part of a cache key.
_OWN_WORDS = ("text", "items", "other")


def question_wording(question: Question) -> QuestionWording:
    """The question's words in the page's language (surveys/translations.py)."""
    return translations.question_wording(question, languages.current().code)


def questionnaire_wording(survey_round: SurveyRound) -> QuestionnaireWording:
    return translations.questionnaire_wording(survey_round.questionnaire, languages.current().code)


def choices_key(
    question: Question, wording: QuestionWording, answer: Answer | None, error: Exception | None
) -> tuple | None:
    """The key under which a question's answer markup is kept (app/core/fragments.py): the
    page's language with the translations laid over it (``languages.wording_version``), the
    question's public wording in it and its choices, and the answer
    chosen. None (render afresh) when an error is shown, when the answer holds the person's own
    words, or when the questionnaire is not locked (a locked version never changes:
    surveys/editor)."""
    if error is not None or not question.questionnaire.is_locked:
        return None
    value = answer.value if answer is not None else None
    if value and any(value.get(part) for part in _OWN_WORDS):
        return None
    words = (wording.web_text, wording.hint, wording.scale_min_label, wording.scale_max_label)
    return (
        languages.wording_version(),
        question.id,
        question.kind,
        words,
        question.max_items,
        json.dumps(wording.options, sort_keys=True),
        json.dumps(value, sort_keys=True),
    )


QUESTION_TEMPLATE = "surveys/web/question.html"


def question_page(context: dict[str, Any]) -> str:
    """The question page for ``context`` (the template's variables), kept whole while nothing
    it is made from changes (app/core/fragments.page); its CSRF token is this request's."""
    return fragments.page(
        _question_page_key(context),
        lambda token: render_template(QUESTION_TEMPLATE, **context, csrf_token=token),
        generate_csrf,
    )


def _question_page_key(context: dict[str, Any]) -> tuple | None:
    """Everything a question page shows but its CSRF token, or None to render it afresh: the
    answer markup's key (None with an error, a person's own words or an unlocked questionnaire),
    the header and footer's (None for signed-in staff), the settings' version, the page's words,
    the address, the number, the back link and the one-off notices."""
    choices, chrome = context["choices_key"], chrome_key()
    if choices is None or chrome is None or "_flashes" in session:
        return None
    wording, authority = context["wording"], get_settings()
    return (
        choices,
        chrome,
        (authority.brand_colour, authority.updated_at),
        languages.wording_version(),
        (wording.picture, wording.picture_alt),
        (request.script_root, request.path),
        context["number"],
        context["back_url"],
        context["changing"],
        context["gentle_help"],
    )
