"""Keying paper forms and assisted interviews into the survey engine, with double entry.

How a keyed form becomes a response (decisions a newcomer might otherwise undo):
- Keyers type what the form says, question by question; blank means skipped. A choice is typed
  as its number on the printed form (its position in the list: 1, 2, 3 ...), so the printed form
  and the keying screen always agree even if option values are edited in a later version.
- Every value goes through ``surveys.engine.validate``, and the response is made with
  ``start_response``/``save_answer``/``complete``: the same rules, screening and storage as the
  web and SMS channels. A date of birth becomes an age before anything is stored.
- Without double entry a form becomes a complete response when it is saved. With double entry
  (a per-round setting) the first keying waits in ``keyed_entry``; a second keying by another
  person is compared with it; if they agree the form is verified, otherwise a third person
  settles each difference. Only then does the response exist, so unverified forms can never be
  counted in any figure, chart or export. The round page shows how many are waiting.
- Keying is allowed until the round's data entry deadline (default: its closing date), which
  may be after the round closes, because letters and forms arrive late.
- Who keyed what is written to the audit log (``paper.key``, ``paper.settle``); nothing here
  or on the response says who keyed it.
- A form keyed by mistake is voided (``void_form``): its response is deleted, so it leaves every
  count, chart and export, and the serial is free to key again or to reprint (``reprint_serial``).
  The response is found through the form's sealed box (surveys/paper/models.py). The reason is
  one of ``VOID_REASONS``, not free text, so the audit log never holds words that could name
  the young person who filled the form in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import languages
from app.core.extensions import db, scrub_deleted
from app.staff.audit.models import AuditEvent
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from surveys import completion, engine, translations
from surveys.engine import YES_NO_UNSURE, AnswerInvalid
from surveys.models import (
    CHANNEL_LABELS,
    Channel,
    Question,
    QuestionKind,
    Response,
    RoundStatus,
    SurveyRound,
    today,
)
from surveys.paper.models import FormStatus, KeyedEntry, PaperForm, PaperSettings
from surveys.safeguarding import screening
from surveys.safeguarding.models import SafeguardingFlag
from surveys.safeguarding.services import (
    active_rules,
    adopting,
    flag_keyed,
    flag_words,
    keep_flags_of,
    note_voided,
    risky_words,
    screen_text,
    words_to_screen,
)

KEYING_CHANNELS = [Channel.PAPER, Channel.PHONE, Channel.FACE_TO_FACE, Channel.GROUP]
YES_NO_KEYS = list(YES_NO_UNSURE)  # 1 yes, 2 no, 3 not sure
YES_NO_WORDS = {"y": "yes", "yes": "yes", "n": "no", "no": "no", "ns": "not_sure"}
YES_NO_WORDS |= {"not sure": "not_sure", "notsure": "not_sure", "unsure": "not_sure"}
MAX_SERIAL = 999_999
SERIAL = re.compile(r"^(?:(?P<prefix>[a-z0-9]+)\s*[-/ ]\s*)?(?P<number>\d{1,7})$", re.I)
AGE_RULE = re.compile(r"\b(under|over)\s+(\d{1,2})\b", re.I)
RESPONSE_BOX = "paper-form-response"  # the purpose the response's key is sealed for
VOID_REASONS = {
    "wrong_serial": "Keyed under the wrong serial number",
    "mistakes": "Keyed with mistakes: it will be keyed again",
    "duplicate": "The same young person filled in two forms",
    "not_real": "Spoilt, blank or not a real form",
    "withdrawn": "The young person asked for their answers to be removed",
}


class KeyingError(Exception):
    """The form cannot be saved as typed; the message says what to do. ``flagged``: whether
    its words may show a young person at risk (see key_form)."""

    flagged = False


class KeyingInvalid(KeyingError):
    """Some answers are not valid: ``errors`` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Some answers need checking")
        self.errors = errors


# --- Settings and serials ------------------------------------------------------------------


def settings_for(survey_round: SurveyRound, *, for_change: bool = False) -> PaperSettings:
    """The round's paper settings; the defaults (not saved) if nobody has changed them."""
    found = db.session.scalar(
        sa.select(PaperSettings).where(PaperSettings.round_id == survey_round.id)
    )
    if found is None:
        found = PaperSettings(round_id=survey_round.id, double_entry=False, last_printed=0)
        if for_change:
            db.session.add(found)
    return found


def entry_deadline(survey_round: SurveyRound) -> date:
    return settings_for(survey_round).entry_deadline or survey_round.closes_on


def update_settings(
    survey_round: SurveyRound, *, entry_deadline: date | None, double_entry: bool
) -> PaperSettings:
    if entry_deadline is not None and entry_deadline < survey_round.opens_on:
        raise KeyingError("The data entry deadline must be on or after the round opens")
    found = settings_for(survey_round, for_change=True)
    found.entry_deadline = entry_deadline
    found.double_entry = double_entry
    record(
        "paper.settings",
        survey_round,
        detail=f"deadline {entry_deadline or 'closing date'}, double entry {double_entry}",
    )
    db.session.commit()
    return found


def serial_prefix(survey_round: SurveyRound) -> str:
    return survey_round.slug.upper()


def serial_text(survey_round: SurveyRound, number: int) -> str:
    return f"{serial_prefix(survey_round)}-{number:04d}"


def parse_serial(survey_round: SurveyRound, text: str) -> int:
    """The form number from what the keyer typed: "NB2026-0042", "nb2026 42" or just "42"."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise KeyingError(
            "Enter the serial number from the top of the form, like "
            f"{serial_text(survey_round, 42)}"
        )
    match = SERIAL.match(cleaned[:40])
    if match is None:
        raise KeyingError(
            f"Check the serial number: it should look like {serial_text(survey_round, 42)}"
        )
    prefix = (match["prefix"] or "").lower()
    if prefix and prefix != survey_round.slug.lower():
        other = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == prefix))
        where = f"the round '{other.name}'" if other else "another round"
        raise KeyingError(
            f"Serial {cleaned.upper()} is from {where}, not {survey_round.name}. "
            "Key it in its own round."
        )
    number = int(match["number"])
    if not 1 <= number <= MAX_SERIAL:
        raise KeyingError(f"The form number must be between 1 and {MAX_SERIAL}")
    return number


def find_form(survey_round: SurveyRound, number: int) -> PaperForm | None:
    return db.session.scalar(
        sa.select(PaperForm).where(
            PaperForm.round_id == survey_round.id, PaperForm.number == number
        )
    )


def next_free_number(survey_round: SurveyRound) -> int:
    """For interviews keyed without a printed form: a number after every printed or keyed one."""
    keyed = db.session.scalar(
        sa.select(sa.func.max(PaperForm.number)).where(PaperForm.round_id == survey_round.id)
    )
    return max(keyed or 0, settings_for(survey_round).last_printed) + 1


def allocate_serials(survey_round: SurveyRound, count: int) -> list[int]:
    """Reserve ``count`` new serial numbers for a printed batch, continuing the numbering."""
    if not 1 <= count <= 500:
        raise KeyingError("Print between 1 and 500 forms at a time")
    first = next_free_number(survey_round)
    found = settings_for(survey_round, for_change=True)
    found.last_printed = first + count - 1
    record("paper.print", survey_round, detail=f"serials {first} to {found.last_printed}")
    db.session.commit()
    return list(range(first, first + count))


@dataclass(frozen=True)
class SerialStatus:
    ok: bool
    message: str


def serial_status(survey_round: SurveyRound, text: str, user_id: int | None) -> SerialStatus:
    """What the keying screen says as the serial is typed (the htmx inline check)."""
    if not (text or "").strip():
        return SerialStatus(False, "")
    try:
        number = parse_serial(survey_round, text)
    except KeyingError as exc:
        return SerialStatus(False, str(exc))
    serial = serial_text(survey_round, number)
    form = find_form(survey_round, number)
    if form is None and (never := _never_printed(survey_round, number)):
        return SerialStatus(False, never)
    if form is None:
        return SerialStatus(True, f"Serial {serial} is ready to key")
    if form.status == FormStatus.KEYED_ONCE:
        if user_id is not None and user_id in keyers(form):
            return SerialStatus(
                False, f"You keyed {serial} already. Someone else must key the second copy."
            )
        return SerialStatus(True, f"Serial {serial} is ready for its second keying")
    if form.status == FormStatus.MISMATCH:
        return SerialStatus(
            False, f"Serial {serial} has been keyed twice and is waiting to be settled"
        )
    return SerialStatus(False, f"Serial {serial} has already been keyed")


# --- Turning typed text into engine values -------------------------------------------------


def option_numbers(question: Question) -> list[tuple[int, str, bool]]:
    """(number to type, label, asks to describe) for each choice, as printed on the form."""
    if question.kind_enum == QuestionKind.YES_NO_UNSURE:
        return [(n, YES_NO_UNSURE[k], False) for n, k in enumerate(YES_NO_KEYS, start=1)]
    return [(n, o["label"], bool(o.get("other"))) for n, o in enumerate(question.options or [], 1)]


def has_other(question: Question) -> bool:
    return any(o.get("other") for o in question.options or [])


def field_names(question: Question) -> list[str]:
    """The input names the keying screen uses for a question (and the errors refer to)."""
    if question.kind_enum == QuestionKind.SHORT_ITEMS:
        return [f"{question.code}_{n}" for n in range(1, question.max_items + 1)]
    names = [question.code]
    if has_other(question):
        names.append(f"{question.code}_other")
    return names


def _numbers(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;/+&]+", text) if t]


def _option_value(question: Question, token: str) -> str:
    options = question.options or []
    if token.isdigit() and 1 <= int(token) <= len(options):
        return options[int(token) - 1]["value"]
    raise AnswerInvalid(
        f"{question.code}: type a number from 1 to {len(options)}, or leave it blank if "
        "nothing is ticked",
        question.code,
    )


def _date_of_birth(question: Question, text: str) -> dict[str, Any]:
    parts = _numbers(text.replace(".", " ").replace("-", " "))
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) <= 2:
        age = int(parts[0])  # some people write their age instead of a date
        if not 10 <= age <= 99:
            raise AnswerInvalid(f"{question.code}: an age must be between 10 and 99", question.code)
        return {"age": age}
    if len(parts) != 3:
        raise AnswerInvalid(
            f"{question.code}: type the date as day month year, like 27 3 2007, or an age",
            question.code,
        )
    try:
        return {"age": engine.parse_date_of_birth(*parts)}
    except AnswerInvalid as exc:
        raise AnswerInvalid(f"{question.code}: {exc}", question.code) from None


def read_answer(question: Question, form: dict[str, str]) -> dict[str, Any] | None:
    """The engine value for one question from the keyed fields, or None when left blank."""
    kind = question.kind_enum
    get = lambda name: engine.clean_answer(form.get(name, ""))  # noqa: E731
    code = question.code
    try:
        if kind == QuestionKind.SHORT_ITEMS:
            items = [get(name) for name in field_names(question)]
            return engine.validate(question, {"items": items}) if any(items) else None
        text = get(code)
        other = get(f"{code}_other") if has_other(question) else ""
        if not text:
            if other:
                raise AnswerInvalid(f"{code}: you typed words for 'Other' but no box number", code)
            return None
        if kind == QuestionKind.DATE_OF_BIRTH:
            return _date_of_birth(question, text)
        if kind == QuestionKind.SINGLE_CHOICE:
            tokens = _numbers(text)
            if len(tokens) > 1:
                raise AnswerInvalid(
                    f"{code}: only one box may be ticked here. If the form has more than one "
                    "ticked, leave it blank",
                    code,
                )
            value = _option_value(question, tokens[0])
            chosen = next(o for o in question.options if o["value"] == value)
            if other and not chosen.get("other"):
                raise AnswerInvalid(
                    f"{code}_other: words for 'Other' only go with the 'Other' box", f"{code}_other"
                )
            return engine.validate(question, {"choice": value, "other": other or "Not written"})
        if kind == QuestionKind.MULTI_CHOICE:
            values = [_option_value(question, t) for t in _numbers(text)]
            return engine.validate(question, {"choices": values, "other": other or "Not written"})
        if kind == QuestionKind.YES_NO_UNSURE:
            word = text.lower().strip()
            if word.isdigit() and 1 <= int(word) <= 3:
                return {"choice": YES_NO_KEYS[int(word) - 1]}
            if word in YES_NO_WORDS:
                return {"choice": YES_NO_WORDS[word]}
            raise AnswerInvalid(f"{code}: type 1 for yes, 2 for no or 3 for not sure", code)
        if kind == QuestionKind.SCALE:
            return engine.validate(question, {"score": text})
        return engine.validate(question, {"text": text})
    except AnswerInvalid as exc:
        message = str(exc)
        name = exc.field if exc.field and exc.field.startswith(code) else code
        if not message.startswith(code):
            message = f"{code}: {message}"
        raise AnswerInvalid(message, name) from None


def impossible_combinations(
    questions: list[Question], answers: dict[str, dict[str, Any] | None]
) -> dict[str, str]:
    """Answers that cannot both be true, e.g. an age of 20 with "I am under 18 ...".

    Read from the wording itself ("under 18", "over 18" in a choice), so a later version's
    questions are checked the same way.
    """
    ages = [v["age"] for q in questions if (v := answers.get(q.code)) and "age" in v]
    if not ages:
        return {}
    age = ages[0]
    errors = {}
    for q in questions:
        value = answers.get(q.code)
        if not value or q.kind_enum != QuestionKind.SINGLE_CHOICE:
            continue
        label = q.option_label(value["choice"])
        for word, limit in AGE_RULE.findall(label):
            if (word.lower() == "under" and age >= int(limit)) or (
                word.lower() == "over" and age < int(limit)
            ):
                errors[q.code] = (
                    f"{q.code}: the form says '{label[:60]}', but the date of birth gives an "
                    f"age of {age}. Check both; leave one blank if the form is unclear"
                )
    return errors


def read_form(questions: list[Question], form: dict[str, str]) -> dict[str, dict | None]:
    """Every question's value (None = skipped); raises KeyingInvalid with all the problems."""
    answers: dict[str, dict | None] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            answers[question.code] = read_answer(question, form)
        except AnswerInvalid as exc:
            errors[exc.field or question.code] = str(exc)
    if not errors:
        if all(v is None for v in answers.values()):
            errors["serial"] = (
                "This form is blank. If the young person left every question blank, put the "
                "form aside and do not key it"
            )
        errors |= impossible_combinations(questions, answers)
    if errors:
        raise KeyingInvalid(errors)
    return answers


# --- Saving a keyed form -------------------------------------------------------------------


@dataclass
class KeyResult:
    serial: str
    status: FormStatus
    message: str
    flagged: bool = False
    differences: list[str] = field(default_factory=list)


def keyers(form: PaperForm) -> set[int]:
    """Staff ids who keyed this form, from the audit log (the form itself does not say)."""
    return set(
        db.session.scalars(
            sa.select(AuditEvent.actor_id).where(
                AuditEvent.action == "paper.key",
                AuditEvent.object_type == "PaperForm",
                AuditEvent.object_id == str(form.id),
                AuditEvent.actor_id.is_not(None),
            )
        )
    )


def ensure_keying_open(survey_round: SurveyRound, on: date | None = None) -> None:
    on = on or today()
    if survey_round.status == RoundStatus.DRAFT:
        raise KeyingError("This round has not opened yet, so forms cannot be keyed")
    deadline = entry_deadline(survey_round)
    if on > deadline:
        raise KeyingError(
            f"The data entry deadline for this round was {deadline.strftime('%-d %B %Y')}. "
            "Ask a participation worker to move it if forms are still arriving"
        )


def key_form(
    survey_round: SurveyRound,
    serial: str,
    channel: Channel,
    assisted: bool,
    form: dict[str, str],
    *,
    user_id: int | None = None,
) -> KeyResult:
    """Save one keyed form: a response now, or the first or second copy under double entry.

    A form that cannot be keyed is screened all the same. One refused for good (its round's
    keying has closed) has its risk flagged for the lead now ("refused"); one with something
    to put right (a serial, an answer) says whether it may show a risk (``KeyingError.flagged``)
    so the keyer hands it over today, and is flagged when it is saved."""
    try:
        return _key_form(survey_round, serial, channel, assisted, form, user_id=user_id)
    except KeyingError as refused:
        words = [form.get(name, "") for q in survey_round.questions for name in field_names(q)]
        if isinstance(refused, KeyingInvalid):
            refused.flagged = screen_text(words_to_screen(words)).flagged
        else:
            # Its risky answers and its serial (which form to ask for; the same form keyed
            # again is the same flag), nothing else of the form.
            db.session.rollback()
            typed = serial.strip()[:40]
            kept = [f"Serial {typed}", *risky_words(words)] if typed else risky_words(words)
            level = flag_words(kept, survey_round.id, "refused", once=bool(typed))
            refused.flagged = level is not None
            db.session.commit()
        raise


def _key_form(
    survey_round: SurveyRound,
    serial: str,
    channel: Channel,
    assisted: bool,
    form: dict[str, str],
    *,
    user_id: int | None = None,
) -> KeyResult:
    ensure_keying_open(survey_round)
    if channel not in KEYING_CHANNELS:
        raise KeyingInvalid({"channel": "Choose how the answers were collected"})
    questions = list(survey_round.questions)
    errors: dict[str, str] = {}
    number = None
    if serial.strip() or channel == Channel.PAPER:
        try:
            number = parse_serial(survey_round, serial)
        except KeyingError as exc:
            errors["serial"] = str(exc)
    if number is not None and (refused := _refused(survey_round, number, user_id)):
        errors["serial"] = refused
    try:
        answers = read_form(questions, form)
    except KeyingInvalid as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise KeyingInvalid(errors)
    if number is None:
        number = next_free_number(survey_round)
    text = serial_text(survey_round, number)
    existing = find_form(survey_round, number)
    flagged = _would_flag(answers)
    double = settings_for(survey_round).double_entry

    if existing is None:
        paper_form = PaperForm(round_id=survey_round.id, number=number, status="")
        db.session.add(paper_form)
        if not double:
            paper_form.status = FormStatus.VERIFIED.value
            _claim(paper_form, text)
            _audit("paper.key", paper_form, f"{text}, entry 1 of 1, {channel.value}", user_id)
            db.session.commit()
            _make_response(paper_form, survey_round, channel, assisted, answers)
            return KeyResult(text, FormStatus.VERIFIED, f"Saved {text}", flagged)
        paper_form.status = FormStatus.KEYED_ONCE.value
        first = KeyedEntry(
            entry_number=1, channel=channel.value, assisted=assisted, answers=answers
        )
        paper_form.entries.append(first)
        _claim(paper_form, text)  # first: the unique serial settles two keyers racing
        first.flag = flag_keyed(_words(answers), survey_round.id, None)
        _audit("paper.key", paper_form, f"{text}, entry 1 of 2, {channel.value}", user_id)
        db.session.commit()
        return KeyResult(
            text, FormStatus.KEYED_ONCE, f"Saved {text}. Someone else must key it again", flagged
        )

    second = KeyedEntry(entry_number=2, channel=channel.value, assisted=assisted, answers=answers)
    second.flag = flag_keyed(_words(answers), survey_round.id, _waiting_flag(existing))
    existing.entries.append(second)
    differences = compare(questions, existing.entries[0], second)
    _audit("paper.key", existing, f"{text}, entry 2 of 2, {channel.value}", user_id)
    if differences:
        existing.status = FormStatus.MISMATCH.value
        db.session.commit()
        return KeyResult(
            text,
            FormStatus.MISMATCH,
            f"Saved {text}. It differs from the first keying in "
            f"{len(differences)} {'place' if len(differences) == 1 else 'places'}; "
            "someone else will settle it",
            flagged,
            differences,
        )
    _verify(existing, survey_round, channel, assisted, answers)
    return KeyResult(text, FormStatus.VERIFIED, f"Saved {text}. Both keyings agree", flagged)


def _refused(survey_round: SurveyRound, number: int, user_id: int | None) -> str | None:
    """Why this serial cannot be keyed now, or None: each form is keyed once (twice with
    double entry, by two different people)."""
    existing = find_form(survey_round, number)
    text = serial_text(survey_round, number)
    if existing is None:
        return _never_printed(survey_round, number)
    if existing.status == FormStatus.MISMATCH:
        return (
            f"Serial {text} has been keyed twice already and is waiting for someone to settle "
            "the differences"
        )
    if existing.status != FormStatus.KEYED_ONCE:
        return (
            f"Serial {text} has already been keyed. Check the number on the form; each form "
            "is keyed once"
        )
    if user_id is not None and user_id in keyers(existing):
        return (
            f"You keyed {text} already. Someone else must key the second copy, so mistakes "
            "are caught"
        )
    return None


def _never_printed(survey_round: SurveyRound, number: int) -> str | None:
    """A typed serial must be one that was printed: a number outside the printed range is a
    misread digit or a form from somewhere else, and keying it would add a response nobody
    gave. (Interviews keyed without a serial get the next free number instead.)"""
    printed = settings_for(survey_round).last_printed
    if number <= printed:
        return None
    text = serial_text(survey_round, number)
    if printed == 0:
        return f"Serial {text} was never printed: no paper forms have been printed for this round"
    return (
        f"Serial {text} was never printed: this round's forms are numbered "
        f"{serial_text(survey_round, 1)} to {serial_text(survey_round, printed)}. "
        "Check the number on the form"
    )


def _audit(action: str, paper_form: PaperForm, detail: str, user_id: int | None) -> None:
    """Who keyed or settled a form goes in the audit log, never on the form or response."""
    actor = db.session.get(StaffUser, user_id) if user_id is not None else None
    record(action, paper_form, detail=detail, actor=actor)


def _claim(paper_form: PaperForm, text: str) -> None:
    """Insert the form row; the unique (round, number) constraint settles two keyers racing."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise KeyingInvalid(
            {"serial": f"Serial {text} has just been keyed by someone else"}
        ) from None


def _would_flag(answers: dict[str, dict | None]) -> bool:
    """Whether free text on this form matches the safeguarding list (so the keyer acts today)."""
    rules = active_rules()
    return any(screening.screen(t, rules).matches for t in _words(answers))


def _words(answers: dict[str, dict | None]) -> list[str]:
    """The words keyed on a form, for safeguarding."""
    return [t for v in answers.values() for t in engine.free_text(v)]


def _waiting_flag(paper_form: PaperForm) -> SafeguardingFlag | None:
    """The flag a keying of this waiting form raised, if any (flag_keyed)."""
    return next((e.flag for e in paper_form.entries if e.flag is not None), None)


def _make_response(
    paper_form: PaperForm,
    survey_round: SurveyRound,
    channel: Channel,
    assisted: bool,
    answers: dict[str, dict | None],
    waiting: SafeguardingFlag | None = None,
) -> None:
    """The response, through the engine: its validation, storage and safeguarding screening
    (an answer flagged takes over the flag the form's keying raised, ``waiting``). The form
    keeps the response's key sealed, so the form can be voided later."""
    response = engine.start_response(survey_round, channel, assisted=assisted, allow_closed=True)
    with adopting(waiting):
        for question in survey_round.questions:
            value = answers.get(question.code)
            engine.save_answer(response, question, value, skipped=value is None)
    engine.complete(response)
    paper_form.response_box = completion.seal_value({"response": response.id}, RESPONSE_BOX)
    db.session.commit()


def _verify(
    paper_form: PaperForm,
    survey_round: SurveyRound,
    channel: Channel,
    assisted: bool,
    answers: dict[str, dict | None],
) -> None:
    waiting = _waiting_flag(paper_form)
    paper_form.status = FormStatus.VERIFIED.value
    paper_form.entries.clear()  # the answers (and the link to their flag) live in the response only
    db.session.commit()
    _make_response(paper_form, survey_round, channel, assisted, answers, waiting)
    # The deleted keyings held the form's number beside its answers and its flag's id, which
    # now leads to the answer: leave none of it readable in the database files.
    scrub_deleted("keyed_entry", *(["safeguarding_flag"] if waiting is not None else []))


# --- Double entry: comparing and settling -------------------------------------------------


@dataclass(frozen=True)
class Difference:
    key: str  # a question code, or "channel" / "assisted"
    label: str
    first: str
    second: str


def _shown(question: Question, value: dict | None) -> str:
    answer = SimpleNamespace(skipped=value is None, value=value)  # what answer_summary reads
    text = engine.answer_summary(question, answer)  # type: ignore[arg-type]
    return "Left blank" if text == "Skipped" else text


def differences(
    questions: list[Question], first: KeyedEntry, second: KeyedEntry
) -> list[Difference]:
    found = []
    if first.channel != second.channel:
        found.append(
            Difference(
                "channel",
                "How the answers were collected",
                CHANNEL_LABELS[Channel(first.channel)],
                CHANNEL_LABELS[Channel(second.channel)],
            )
        )
    if first.assisted != second.assisted:
        yes_no = {True: "Assisted", False: "Not assisted"}
        found.append(
            Difference("assisted", "Assisted", yes_no[first.assisted], yes_no[second.assisted])
        )
    for q in questions:
        a, b = first.answers.get(q.code), second.answers.get(q.code)
        if a != b:
            found.append(
                Difference(
                    q.code, f"{q.code} {q.paper_text or q.web_text}", _shown(q, a), _shown(q, b)
                )
            )
    return found


def compare(questions: list[Question], first: KeyedEntry, second: KeyedEntry) -> list[str]:
    return [d.key for d in differences(questions, first, second)]


def forms_to_settle(survey_round: SurveyRound) -> list[PaperForm]:
    return list(
        db.session.scalars(
            sa.select(PaperForm)
            .where(PaperForm.round_id == survey_round.id, PaperForm.status == FormStatus.MISMATCH)
            .order_by(PaperForm.number)
        )
    )


def settle(paper_form: PaperForm, choices: dict[str, str], *, user_id: int | None = None) -> None:
    """Make the response from the two keyings, taking "1" or "2" for each difference."""
    if paper_form.status != FormStatus.MISMATCH:
        raise KeyingError("This form does not need settling")
    if user_id is not None and user_id in keyers(paper_form):
        raise KeyingError("You keyed this form, so someone else must settle it. Ask a colleague")
    survey_round = db.session.get(SurveyRound, paper_form.round_id)
    assert survey_round is not None  # round_id is a NOT NULL foreign key
    questions = list(survey_round.questions)
    first, second = paper_form.entries
    found = differences(questions, first, second)
    missing = [d.key for d in found if choices.get(d.key) not in ("1", "2")]
    if missing:
        raise KeyingInvalid({key: "Choose which keying matches the paper form" for key in missing})
    pick = {d.key: (first if choices[d.key] == "1" else second) for d in found}
    answers = {q.code: pick.get(q.code, first).answers.get(q.code) for q in questions}
    channel = Channel(pick.get("channel", first).channel)
    assisted = pick.get("assisted", first).assisted
    _audit(
        "paper.settle",
        paper_form,
        f"{serial_text(survey_round, paper_form.number)}: "
        + ", ".join(f"{d.key} from entry {choices[d.key]}" for d in found),
        user_id,
    )
    _verify(paper_form, survey_round, channel, assisted, answers)


# --- Voiding and reprinting ---------------------------------------------------------------


@dataclass(frozen=True)
class VoidCheck:
    """What voiding a serial would do, for the confirm page."""

    serial: str
    reason: str
    counted: bool  # verified: a response that counts will be removed


def check_void(survey_round: SurveyRound, serial: str, reason: str) -> VoidCheck:
    """Whether ``serial`` can be voided for ``reason``; raises KeyingInvalid saying why not."""
    errors: dict[str, str] = {}
    paper_form = None
    try:
        number = parse_serial(survey_round, serial)
    except KeyingError as exc:
        errors["serial"] = str(exc)
    else:
        paper_form = find_form(survey_round, number)
        if paper_form is None:
            errors["serial"] = (
                f"Serial {serial_text(survey_round, number)} has not been keyed, so there is "
                "nothing to void. Check the number on the form"
            )
    if reason not in VOID_REASONS:
        errors["reason"] = "Choose why the form is being voided"
    if errors:
        raise KeyingInvalid(errors)
    assert paper_form is not None  # no errors means the form was found
    return VoidCheck(
        serial_text(survey_round, paper_form.number),
        VOID_REASONS[reason],
        paper_form.status == FormStatus.VERIFIED,
    )


VOIDED_NOTE = (
    "The paper form these words were keyed from was voided after keying: its answers were "
    "deleted, and their words are kept here."
)


def void_form(
    survey_round: SurveyRound, serial: str, reason: str, *, user_id: int | None = None
) -> VoidCheck:
    """Void a keyed form: delete its response (or its waiting keyings) and free its serial."""
    checked = check_void(survey_round, serial, reason)
    paper_form = find_form(survey_round, parse_serial(survey_round, serial))
    assert paper_form is not None  # check_void found it
    if paper_form.status == FormStatus.VERIFIED:
        opened = completion.open_value(paper_form.response_box or "", RESPONSE_BOX)
        response = db.session.get(Response, opened["response"]) if opened else None
        if response is None:
            raise KeyingError(
                f"The answers keyed from {checked.serial} cannot be found, so it cannot be "
                "voided here. Ask an administrator"
            )
        # Its answers go; a safeguarding flag on one stays for the lead, with its words.
        words = {a.id: "\n".join(engine.free_text(a.value)) for a in response.answers}
        keep_flags_of(response.id, words, VOIDED_NOTE)
        db.session.delete(response)
    elif (waiting := _waiting_flag(paper_form)) is not None:
        note_voided(waiting, VOIDED_NOTE)  # its keyings go; the flag stays with their words
    _audit("paper.void", paper_form, f"{checked.serial}: {checked.reason}", user_id)
    db.session.delete(paper_form)
    db.session.commit()
    return checked


def reprint_serial(survey_round: SurveyRound, serial: str) -> int:
    """A replacement for a printed form that was lost, spoilt or voided: the same serial."""
    try:
        number = parse_serial(survey_round, serial)
    except KeyingError as exc:
        raise KeyingInvalid({"serial": str(exc)}) from None
    if never := _never_printed(survey_round, number):
        raise KeyingInvalid({"serial": never})
    text = serial_text(survey_round, number)
    if find_form(survey_round, number) is not None:
        raise KeyingInvalid(
            {"serial": f"Serial {text} has been keyed. Void it first if it was keyed by mistake"}
        )
    record("paper.reprint", survey_round, detail=f"serial {text}")
    db.session.commit()
    return number


# --- Figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyingFigures:
    verified: int
    keyed_once: int
    mismatch: int
    deadline: date
    double_entry: bool

    @property
    def awaiting_verification(self) -> int:
        return self.keyed_once + self.mismatch


def keying_figures(survey_round: SurveyRound) -> KeyingFigures:
    counts = dict(
        db.session.execute(
            sa.select(PaperForm.status, sa.func.count())
            .where(PaperForm.round_id == survey_round.id)
            .group_by(PaperForm.status)
        )
        .tuples()
        .all()
    )
    found = settings_for(survey_round)
    return KeyingFigures(
        verified=counts.get(FormStatus.VERIFIED, 0),
        keyed_once=counts.get(FormStatus.KEYED_ONCE, 0),
        mismatch=counts.get(FormStatus.MISMATCH, 0),
        deadline=found.entry_deadline or survey_round.closes_on,
        double_entry=found.double_entry,
    )


def awaiting_verification(survey_round: SurveyRound) -> int:
    """Forms keyed but not yet verified: not counted in results until they are."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(PaperForm.id)).where(
                PaperForm.round_id == survey_round.id,
                PaperForm.status.in_([FormStatus.KEYED_ONCE, FormStatus.MISMATCH]),
            )
        )
        or 0
    )


def keying_rounds() -> list[SurveyRound]:
    """Rounds whose forms may be keyed or printed: every round that has opened."""
    return list(
        db.session.scalars(
            sa.select(SurveyRound)
            .where(SurveyRound.status != RoundStatus.DRAFT)
            .order_by(SurveyRound.opens_on.desc())
        )
    )


def get_form(survey_round: SurveyRound, form_id: int) -> PaperForm | None:
    found = db.session.get(PaperForm, form_id)
    return found if found is not None and found.round_id == survey_round.id else None


def form_languages(survey_round: SurveyRound) -> list[tuple[str, str]]:
    """(code, name) of the languages a round's paper form can be printed in: English, and each
    offered language its questionnaire has a translation for (a council's own edition has none)."""
    translated = set(translations.languages_with_translation(survey_round.questionnaire.key))
    return [
        (lang.code, lang.name)
        for lang in languages.offered()
        if lang.code == languages.DEFAULT or lang.code in translated
    ]
