"""Forgiving reading of SMS replies: what did the person mean, for the question they were asked?

Pure Python (no Flask, no database). ``read_reply(question, text)`` returns a ``Reading``:

- a command (STOP, START, HELP, SKIP, BACK), recognised on any question;
- an ANSWER, whose ``raw`` is the shape ``surveys.engine.validate`` takes for the question's kind;
- or ASK_AGAIN, with a short plain-English ``reason`` to text back ("Reply with a number from
  1 to 6, or SKIP"). When unsure we ask once more rather than guess.

``read_as(reading)`` renders a reading as one line for ``flask sms parse``: an ISO date (Q1),
``age:19`` for a bare age, the option number (``6:description`` for "other"), list items joined by
``|``, the text on one line, ``yes``/``no``/``not_sure``, or the command's name.

``question`` is duck-typed: anything with ``.kind``, ``.options`` (list of
``{"value", "label", "other"?}``), ``.max_items`` and ``.code``.

Decisions (read them before changing a word list):

- Commands are whole-message matches after lower-casing and dropping punctuation and emoji, so
  "STOP!!! 🛑" is STOP but "stop moving me around" is an answer. STOP, START and HELP are
  app.messaging.keywords.classify (the one list, also asked before and after a conversation);
  SKIP, BACK and "help me" are read here, as they depend on the question.
- "help me" / "I need help" on a free-text question is an ANSWER, so it is screened for
  safeguarding like any other answer; on other questions it is HELP.
- "dunno", "idk", "not sure", "no idea", "rather not say", "n/a", "pass", "next" are SKIP, except
  on yes/no/not sure questions, where "dunno", "idk", "not sure", "no idea", "maybe" are the
  answer ``not_sure`` (and "na" is "nah", so ``no``).
- On free-text questions "no", "nope", "no thanks", "not really" (and, for the one long answer,
  "nothing" / "none") mean there is nothing to add: SKIP. On a "3 things" question "nothing" is
  itself an answer ("the best thing about leaving care: nothing"). "yes" or "ok" alone on a
  free-text question is ASK_AGAIN ("Go ahead and type your answer").
- Dates of birth are read day first (UK). A month-first date is accepted only when day first is
  impossible and month first is not ("6/13/2005"). A two-digit year takes the century that
  makes the person 10 to 99 years old (app/core/dates.py, the web's rule too); if neither does,
  ASK_AGAIN for 4 numbers. A date in the future, more than
  120 years ago, or that does not exist, is ASK_AGAIN. A bare age ("19", "im 19", "19 years
  old") is an ANSWER ``{"age": 19}`` (10 to 60 only), written ``age:19`` by ``read_as``.
- Single choice: a number or letter (a = first option), option words with typos and
  synonyms ("on my own", "hostel", "staying put", "girl"), "other"/the other option's number plus
  a description. Words that match no option become the "other" description when the question
  has an "other" option (and the words look like a description); otherwise ASK_AGAIN. Two options
  equally likely ("foster", "over 18", "4 or 5") is ASK_AGAIN naming them. On a question without
  an "other" option, "other", "neither", "non-binary" and the like are SKIP: we do not make
  someone choose an answer that is not theirs. "non binary", "non-binary", "nb", "enby"
  (``NON_BINARY_WORDS``) are stored as a non-binary option where the question has one, or as
  "Other" in the person's words.
- Short items: split on new lines, numbering ("1.", "1)", "1 -", bullets), inline numbering
  ("1. a 2. b 3. c"), semicolons, and commas only when there is no other separator and every part
  is short. Emoji-only items are dropped (a reply of only emoji is ASK_AGAIN). A single trailing
  full stop is dropped from items of a list. All items are kept (the engine keeps up to 10).
- Long text keeps emoji and single line breaks; runs of spaces collapse. Over 2,000 characters
  (the engine's limit) is ASK_AGAIN, and so is an "other" description over 500.
- Never raises: ``None``, empty text, control characters, lone surrogates, bidi marks and very
  long messages all give a Reading. Empty or emoji/punctuation-only replies are ASK_AGAIN
  (except 👍/👎/🤷 on yes/no questions).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from app.core import clock
from app.core.dates import BirthDateInvalid, BirthDateProblem, date_of_birth
from app.core.languages import N_
from app.core.text import casefold_compatible, clean_text, fold
from app.messaging.keywords import classify, squash, without_sign_off

log = logging.getLogger(__name__)

# The engine's limits (surveys.engine.MAX_TEXT and its "other" limit); kept here so this module
# needs no database. tests/surveys/sms/test_parsing.py checks they agree.
MAX_TEXT = 2000
MAX_OTHER = 500
MIN_BARE_AGE, MAX_BARE_AGE = 10, 60

DATE_OF_BIRTH = "date_of_birth"
SINGLE_CHOICE = "single_choice"
MULTI_CHOICE = "multi_choice"
SHORT_ITEMS = "short_items"
LONG_TEXT = "long_text"
YES_NO_UNSURE = "yes_no_unsure"
SCALE = "scale"


class Command(StrEnum):
    ANSWER = "ANSWER"
    SKIP = "SKIP"
    BACK = "BACK"
    HELP = "HELP"
    STOP = "STOP"
    START = "START"
    ASK_AGAIN = "ASK_AGAIN"


@dataclass(frozen=True)
class Reading:
    command: Command
    raw: dict | None = None  # for ANSWER: the engine.validate raw shape
    date_of_birth: date | None = None  # for Q1 answers read as a date (never stored)
    reason: str = ""  # for ASK_AGAIN: a short plain-English re-ask hint


def _ask(reason: str) -> Reading:
    return Reading(Command.ASK_AGAIN, reason=reason)


def _answer(raw: dict, born: date | None = None) -> Reading:
    return Reading(Command.ANSWER, raw=raw, date_of_birth=born)


SKIP_HINT = "or SKIP"
DOB_HINT = N_("Reply with your date of birth, like 27/3/2007, or SKIP")
YES_NO_HINT = N_("Reply YES, NO or NOT SURE, or SKIP")
TEXT_HINT = N_("Reply with your answer in words, or SKIP")
GO_AHEAD_HINT = N_("Go ahead and type your answer, or SKIP")
TOO_LONG_HINT = N_("That is too long for us to save. Please send a shorter answer, or SKIP")


# --- Cleaning ----------------------------------------------------------------------------------


def clean(text: Any) -> str:
    """The reply as we would store it (app.core.text.clean_text), blank lines dropped."""
    return "\n".join(line for line in clean_text(text).split("\n") if line)


def _key(text: str) -> str:
    """The matching key (app.core.text.fold), keeping ``/`` and ``+`` for "n/a", "he/him",
    "18+"."""
    return re.sub(r"\s*/\s*", "/", fold(text, keep="/+")).strip(" /+")


def _split(words: str) -> list[str]:
    return words.split()


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(squash(_key(p)) for p in phrases)


# --- Commands ------------------------------------------------------------------------------------

# STOP, START and HELP are app.messaging.keywords' one list (asked first, on every question).
HELP_ME_WORDS = _words("help me", "i need help", "need help", "help me please")
BACK_WORDS = _words(
    "back", "go back", "previous", "prev", "previous question", "last question", "undo",
    "back please", "go back please", "back one", "go back one", "change my answer",
    "change answer", "i made a mistake", "made a mistake", "wrong answer",
)  # fmt: skip
SKIP_WORDS = _words(
    "skip", "skip it", "skip this", "skip this one", "skip that", "skip question",
    "skip this question", "skip pls", "skip please", "pass", "pass please", "next",
    "next question", "next one", "n/a", "not applicable", "rather not say", "id rather not say",
    "prefer not to say", "id prefer not to say", "prefer not", "rather not", "id rather not",
    "no comment", "private", "thats private", "not telling", "not telling you", "not saying",
    "none of your business", "mind your business", "dont want to say", "i dont want to say",
    "dont want to", "i dont want to", "dont wanna", "i dont wanna", "dont wanna say",
    "dont want to answer", "i dont want to answer", "idc", "i dont care", "dont care",
)  # fmt: skip
UNSURE_WORDS = _words(
    "dont know", "i dont know", "dunno", "i dunno", "dno", "dk", "idk", "idek", "dont no",
    "i dont no", "no idea", "not sure", "im not sure", "unsure", "no clue", "not a clue",
    "idk tbh", "dunno tbh",
)  # fmt: skip
NOTHING_WORDS = _words(
    "no", "nope", "nah", "na", "no thanks", "no thank you", "no ta", "nah thanks", "not really",
    "no not really", "nah not really", "no comment", "nothing to say", "nothing to add",
    "thats it", "thats all", "thats everything", "no thats it", "no thats all", "nah im good",
    "no im good", "im good", "all good", "no nothing", "nah nothing", "nothing else",
    "nothing else to say", "no nothing else",
)  # fmt: skip
NOTHING_TEXT_WORDS = _words("nothing", "nothing really", "none", "nothing thanks", "nothing ta")
CHATTER_WORDS = _words(
    "what", "wat", "wot", "huh", "eh", "wdym", "what do you mean", "i dont understand",
    "dont understand", "i dont get it", "dont get it", "confused", "im confused", "pardon",
    "sorry", "sorry what", "what does that mean", "hi", "hello", "hey", "hiya", "heya", "yo",
    "test", "testing", "lol", "haha", "ha", "hmm", "um", "umm", "erm", "ok", "okay", "k", "kk",
    "thanks", "thank you", "ta", "cheers", "cool", "yes", "yeah", "yep", "no", "what?",
    "why", "who", "x", "xx", "xxx",
)  # fmt: skip
AFFIRM_WORDS = _words(
    "yes", "y", "yeah", "yea", "yeh", "ye", "yep", "yup", "yh", "ya", "yes please", "ok",
    "okay", "k", "kk", "sure", "go on", "go on then", "alright", "will do", "yes i will",
)  # fmt: skip


def _command(cleaned: str, key: str, kind: str) -> Command | None:
    keyword = classify(cleaned)
    if keyword is not None:
        return Command(keyword.value)
    sq = squash(key)
    if sq in HELP_ME_WORDS and kind not in (SHORT_ITEMS, LONG_TEXT):
        return Command.HELP
    if sq in BACK_WORDS:
        return Command.BACK
    return None


# --- Reading a reply ---------------------------------------------------------------------------


def read_reply(question: Any, text: Any, *, today: date | None = None) -> Reading:
    """Read ``text`` as a reply to ``question``. Never raises: an unexpected failure is logged
    and read as ASK_AGAIN."""
    try:
        return _read(question, text, today=today)
    except Exception:  # a reply must never break the conversation
        log.exception("Could not read an SMS reply to %s", getattr(question, "code", "?"))
        return _ask(TEXT_HINT)


def _read(question: Any, text: Any, *, today: date | None = None) -> Reading:
    kind = str(getattr(question, "kind", "") or "")
    cleaned = clean(text)
    key = without_sign_off(_key(cleaned))
    if not cleaned:
        return _ask(_hint(question, kind))
    command = _command(cleaned, key, kind)
    if command is not None:
        return Reading(command)
    today = today or clock.today()
    if kind == YES_NO_UNSURE:
        return _read_yes_no(cleaned, key, question)
    sq = squash(key)
    if kind == SINGLE_CHOICE and (exact := _exact_option(question, sq)) is not None:
        return _choose(exact)  # "prefer not to say" is the 2026 Q3's option, not a skip
    if sq in SKIP_WORDS or sq in UNSURE_WORDS:
        return Reading(Command.SKIP)
    if kind in (SHORT_ITEMS, LONG_TEXT):
        if _nothing_to_add(sq, kind):
            return Reading(Command.SKIP)
        if sq in AFFIRM_WORDS:
            return _ask(GO_AHEAD_HINT)
    if not key:  # only emoji or punctuation
        return _ask(_hint(question, kind))
    if kind == DATE_OF_BIRTH:
        return _read_date_of_birth(cleaned, today)
    if kind == SINGLE_CHOICE:
        return _read_choice(question, cleaned, key)
    if kind == MULTI_CHOICE:
        return _read_multi_choice(question, cleaned, key)
    if kind == SHORT_ITEMS:
        return _read_items(question, cleaned, key)
    if kind == LONG_TEXT:
        return _read_text(cleaned, key)
    if kind == SCALE:
        return _read_scale(key)
    return _ask(TEXT_HINT)


def _exact_option(question: Any, sq: str) -> dict | None:
    """The option (not an "other") whose label is the reply word for word."""
    return next(
        (
            o
            for o in _options(question)
            if not o.get("other") and squash(_key(str(o.get("label", "")))) == sq
        ),
        None,
    )


def _nothing_to_add(sq: str, kind: str) -> bool:
    """ "no", "no thanks", "nah that's everything" ("nothing" too, for the one long answer)."""
    nothing = NOTHING_WORDS | (NOTHING_TEXT_WORDS if kind == LONG_TEXT else frozenset())
    if sq in nothing:
        return True
    rest = re.sub(r"^(?:no|nope|nah|na|not really|ok|okay)\s+", "", sq)
    return rest != sq and rest in nothing | NOTHING_TEXT_WORDS


def _hint(question: Any, kind: str) -> str:
    if kind == DATE_OF_BIRTH:
        return DOB_HINT
    if kind in (SINGLE_CHOICE, MULTI_CHOICE):
        return _choice_hint(_options(question))
    if kind == YES_NO_UNSURE:
        return YES_NO_HINT
    if kind == SHORT_ITEMS:
        most = getattr(question, "max_items", None) or 3
        return f"Reply with 1 to {most} things in words, or SKIP"
    if kind == SCALE:
        return "Reply with a number from 0 to 10, or SKIP"
    return TEXT_HINT


def _is_chatter(key: str) -> bool:
    return squash(key) in CHATTER_WORDS or len(re.sub(r"[\W\d_]", "", key)) < 2


# --- Dates of birth ------------------------------------------------------------------------------

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS = {name[:3]: i for i, name in enumerate(MONTHS, 1)} | {"sept": 9}
AGE_CUE = frozenset(
    _split("i im am age aged ages year years yr yrs yo y o old turn turned turning")
)
ORDINAL = ("st", "nd", "rd", "th")
DAY_WORDS = {
    w: i
    for i, w in enumerate(
        _split(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
            "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
            "twentieth"
        ),
        1,
    )
} | {"thirtieth": 30}
TENS_WORDS = {"twenty": 20, "thirty": 30}


def _month(word: str) -> int | None:
    if word in MONTH_ABBREVIATIONS:
        return MONTH_ABBREVIATIONS[word]
    if word in MONTHS:
        return MONTHS.index(word) + 1
    if len(word) < 4 or len(word) > 12 or not word.isalpha():
        return None
    prefixed = [i for i, name in enumerate(MONTHS, 1) if name.startswith(word)]
    if len(prefixed) == 1:
        return prefixed[0]
    scores = sorted(
        ((SequenceMatcher(None, word, name).ratio(), i) for i, name in enumerate(MONTHS, 1)),
        reverse=True,
    )
    (best, month), (second, _) = scores[0], scores[1]
    if best >= 0.72 and best - second >= 0.1:
        return month
    return None


def _read_date_of_birth(cleaned: str, today: date) -> Reading:
    text = casefold_compatible(cleaned)
    tokens = re.findall(r"\d+|[^\W\d_]+", text)
    if len(tokens) > 40:
        return _ask(DOB_HINT)
    tokens = _day_words(tokens)
    numbers: list[str] = []
    month: int | None = None
    months_seen = 0
    previous = ""
    for token in tokens:
        if token.isdigit():
            numbers.append(token)
        else:
            found = _month(token)
            if found is None and previous.isdigit() and token[:2] in ORDINAL:
                found = _month(token[2:]) if len(token) > 2 else None
            if found is not None:
                months_seen += 1
                month = found
        previous = token
    if months_seen > 1:
        return _ask(DOB_HINT)
    if month is not None:
        if len(numbers) == 2:
            a, b = numbers
            if len(a) == 4 or (int(a) > 31 and len(b) <= 2):
                day, year = b, a
            else:
                day, year = a, b
            return _make_date(day, str(month), year, today)
        if len(numbers) == 1:
            if len(numbers[0]) >= 3 or int(numbers[0]) > 31:
                return _ask("What day of the month were you born? " + DOB_HINT)
            return _ask("What year were you born? " + DOB_HINT)
        return _ask(DOB_HINT)
    if len(numbers) == 1 and len(numbers[0]) <= 3:
        age = int(numbers[0])
        if MIN_BARE_AGE <= age <= MAX_BARE_AGE and (
            AGE_CUE.intersection(tokens) or len(tokens) == 1
        ):
            return _answer({"age": age})
        return _ask(DOB_HINT)
    if len(numbers) == 3:
        a, b, c = numbers
        if len(a) == 4:
            return _make_date(c, b, a, today)
        if len(a) <= 2 and len(b) <= 2:
            reading = _make_date(a, b, c, today)
            if reading.command == Command.ASK_AGAIN and int(b) > 12 and int(a) <= 12:
                swapped = _make_date(b, a, c, today)  # month first, e.g. 6/13/2005
                if swapped.command == Command.ANSWER:
                    return swapped
            return reading
        return _ask(DOB_HINT)
    if len(numbers) == 1:
        return _compact_date(numbers[0], today)
    if len(numbers) == 2 and len(numbers[1]) in (2, 4) and len(numbers[0]) == 4:
        # "0106 2005"
        return _make_date(numbers[0][:2], numbers[0][2:], numbers[1], today)
    if len(numbers) == 2 and all(len(n) <= 2 for n in numbers):
        return _ask("What year were you born? " + DOB_HINT)
    return _ask(DOB_HINT)


def _day_words(tokens: list[str]) -> list[str]:
    """ "fourteenth" -> "14", "twenty first" -> "21" (only when no digits give the day)."""
    out: list[str] = []
    for token in tokens:
        if token in DAY_WORDS and out and out[-1] in TENS_WORDS:
            out[-1] = str(TENS_WORDS[out[-1]] + DAY_WORDS[token])
        elif token in DAY_WORDS:
            out.append(str(DAY_WORDS[token]))
        else:
            out.append(token)
    return out


def _compact_date(digits: str, today: date) -> Reading:
    """ "01062005" (or "20050601"), "010605", and the unambiguous "1062005"."""
    if len(digits) == 8:
        reading = _make_date(digits[:2], digits[2:4], digits[4:], today)
        if reading.command != Command.ANSWER and digits[:2] in ("19", "20"):
            other = _make_date(digits[6:], digits[4:6], digits[:4], today)
            if other.command == Command.ANSWER:
                return other
        return reading
    if len(digits) == 6:
        return _make_date(digits[:2], digits[2:4], digits[4:], today)
    if len(digits) == 7:
        readings = [
            _make_date(digits[:1], digits[1:3], digits[3:], today),
            _make_date(digits[:2], digits[2:3], digits[3:], today),
        ]
        good = [r for r in readings if r.command == Command.ANSWER]
        if len(good) == 1:
            return good[0]
        return _ask("Please put / between the day, month and year, like 27/3/2007, or SKIP")
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return _ask("What day and month were you born? " + DOB_HINT)
    return _ask(DOB_HINT)


YEAR_HINT = N_("Please give the year with 4 numbers, like 2007, or SKIP")
# How a text re-asks for each problem with a date (the rule is app/core/dates.py, shared with
# the web).
DATE_HINTS = {
    BirthDateProblem.YEAR_LENGTH: YEAR_HINT,
    BirthDateProblem.UNCLEAR_CENTURY: YEAR_HINT,
    BirthDateProblem.NOT_REAL: "That date does not exist. " + DOB_HINT,
    BirthDateProblem.FUTURE: "That date is in the future. " + DOB_HINT,
    BirthDateProblem.TOO_OLD: "Please check the year. " + DOB_HINT,
}


def _make_date(day: str, month: str, year: str, today: date) -> Reading:
    try:
        born = date_of_birth(int(day), int(month), year, today)
    except BirthDateInvalid as error:
        return _ask(DATE_HINTS[error.problem])
    return _answer(
        {"day": str(born.day), "month": str(born.month), "year": f"{born.year:04d}"}, born
    )


# --- Single choice -------------------------------------------------------------------------------

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
}  # fmt: skip
LEAD_WORDS = (
    r"(?:(?:option|opt|number|num|no|nr|choice|answer|ans|its|it is|it s|im|i am|i m|i choose|"
    r"id say|i d say|i pick|i think|prob|probably|the|defo|deffo|def)\s+)*"
)
NUMBER_LEAD = re.compile(
    rf"^{LEAD_WORDS}(\d{{1,2}}|{'|'.join(NUMBER_WORDS)})(?:\s+(?:one|option))?(?=$|\s)(.*)$"
)
LETTER_ONLY = re.compile(r"^(?:(?:option|opt|letter|answer|choice)\s+)?([a-z])$")
OTHER_LEAD = re.compile(
    r"^\W*(?:other|otha|othr|something else|none of (?:these|them|the above)|neither|"
    r"not any of them|not listed)\b",
    re.I,
)
RAW_NUMBER_LEAD = re.compile(
    r"^\W*(?:(?:option|opt|number|num|no\.?|nr|choice|answer|it'?s|im|i'?m|i am)\s*)*"
    r"(?:#\s*)?(?:\d{1,2}|[a-z])\b\s*(?:[).:,;\-\u2013\u2014]+\s*)*",
    re.I,
)
# The one list of ways to say non-binary: a reply in it is stored as the question's non-binary
# option (any label in it, e.g. "Non-binary"), or as "Other" in the person's own words; only a
# question offering neither (the 2015 Q3: Male / Female) reads it as SKIP.
NON_BINARY_WORDS = _words(
    "non binary", "nonbinary", "non-binary", "non binery", "non-bianary", "nb", "n/b", "enby",
    "im non binary", "i am non binary", "im nb", "i am nb", "im enby", "i am enby",
)  # fmt: skip
NOT_MY_OPTION_WORDS = NON_BINARY_WORDS | _words(
    "other", "neither", "none", "none of them", "none of these", "none of the above",
    "agender", "genderfluid",
    "gender fluid", "genderqueer", "they/them", "trans", "both", "not listed", "something else",
    "i dont identify as either", "neither of them", "prefer not to say",
)  # fmt: skip

MALE_WORDS = _words(
    "male", "m", "man", "boy", "lad", "guy", "bloke", "he", "him", "he/him", "mail", "mael",
    "mal", "maile", "masculine", "a boy", "a man", "a lad", "im a boy", "im a man", "im a lad",
    "im male", "i am male", "i am a boy", "i am a man", "trans man", "trans male", "transman",
    "ftm", "m8", "malee", "mle", "make", "nale", "maleq",
)  # fmt: skip
FEMALE_WORDS = _words(
    "female", "f", "woman", "girl", "lady", "gal", "she", "her", "she/her", "femail", "femal",
    "femle", "fem", "femaile", "famale", "feamle", "femlae", "fmale", "femals", "femake",
    "a girl", "a woman", "a lady", "im a girl", "im a woman", "im female", "i am female",
    "i am a girl", "i am a woman", "trans woman", "trans female", "transwoman", "trans girl",
    "mtf", "girly", "femalee", "feemale", "femaie",
)  # fmt: skip

STOPWORDS = frozenset(
    _split(
        "i am im and the a an in my me for example e g eg live living lives with of to at is it "
        "its have has been still now currently just so but or like which that this most you "
        "on yes no ok be do dont was were are we our really quite kind sort bit"
    )
)

# Concepts: a phrase in an option's label and a synonym in a reply map to the same tag.
CONCEPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "zzsupported",
        re.compile(
            r"\bsupported\b|\bsuport\w*|\bsupport(?:ed)? (?:housing|living|accom\w*|lodgings?|"
            r"flat|placement|worker)\b|\bsemi\b|\bhost[el]\w*|\bhostle\w*|\bfoyer\b|"
            r"\bkey ?worker\b|\bassisted living\b"
        ),
    ),
    (
        "zzindependent",
        re.compile(
            r"\bindep\w*|\bindip\w*|\bon my own\b|\bon me own\b|\bon my tod\b|\bmy own\b|"
            r"\bown (?:place|flat|house|tenancy|home|gaff)\b|\bby myself\b|\balone\b|"
            r"\bcouncil (?:flat|house)\b|\bmy (?:flat|house|place|gaff)\b|\bi rent\b|"
            r"\brent(?:ing)?\b|\bindie\b|\btenancy\b|\bfully independent\b"
        ),
    ),
    (
        "zzstayput",
        re.compile(
            r"\bsta\w* put\b|\bfoster carers?\b|\bstill with (?:my )?(?:foster|carers?)\b|"
            r"\bfoster (?:mum|mam|dad|family|parents?|home)\b|\bwith (?:my )?carers?\b"
        ),
    ),
    (
        "zzincare",
        re.compile(
            r"\bin care\b|\blooked after\b|\blac\b|\bfoster care\b|\bfostered\b|"
            r"\bfoster placement\b|\bchildren ?s home\b|\bkids home\b|\bcare home\b|"
            r"\bresi(?:dential)?\b|\bin a placement\b|\bin foster\b"
        ),
    ),
    (
        "zzleftcare",
        re.compile(
            r"\bleft care\b|\bleaving care\b|\bcare leaver\b|\bout of care\b|\bnot in care\b"
        ),
    ),
)
UNDER_18 = re.compile(r"\bunder ?18\b|\bnot 18\b|\b1[0-7]\b|\bunder age\b|\bunderage\b")
OVER_18 = re.compile(r"\bover ?18\b|\b18 ?\+|\b18 or over\b|\b(?:1[89]|2\d|30)\b|\badult\b")


def _options(question: Any) -> list[dict]:
    options = getattr(question, "options", None) or []
    return [o for o in options if isinstance(o, dict) and "value" in o]


def _choice_hint(options: list[dict]) -> str:
    if not options:
        return TEXT_HINT
    if len(options) <= 3 and all(len(str(o.get("label", ""))) <= 20 for o in options):
        said = " or ".join(f"{o['value']} for {o.get('label', '')}" for o in options)
        return f"Reply {said}, or SKIP"
    return f"Reply with a number from {options[0]['value']} to {options[-1]['value']}, or SKIP"


def _tie_hint(tied: list[dict]) -> str:
    if len(tied) == 2:
        listed = f"{tied[0]['value']} or {tied[1]['value']}"
    else:
        listed = ", ".join(str(o["value"]) for o in tied[:-1]) + f" or {tied[-1]['value']}"
    return f"Did you mean {listed}? Reply with one number, or SKIP"


def _other_hint() -> str:
    return "Tell us about it in a few words, or SKIP"


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _tokens(key: str) -> list[str]:
    key = re.sub(r"\bsemi ?indep\w*", "semi supported", key)
    words = re.findall(r"[^\W_]+", key)
    tokens = [_stem(w) for w in words if w not in STOPWORDS]
    for tag, pattern in CONCEPTS:
        if pattern.search(key):
            tokens.append(tag)
    return tokens


def _age_side(key: str) -> str | None:
    under, over = bool(UNDER_18.search(key)), bool(OVER_18.search(key))
    if under and not over:
        return "under"
    if over and not under:
        return "over"
    return None


def _score_options(options: list[dict], key: str) -> tuple[list[dict], float]:
    """The options that best match the words of ``key`` (more than one: a tie) and the score."""
    labels = [_key(str(o.get("label", ""))) for o in options]
    label_tokens = [set(_tokens(label)) for label in labels]
    reply = list(dict.fromkeys(_tokens(key)))[:80]
    # An age in the reply rules out options for the other side of 18.
    side = _age_side(key)
    allowed = list(range(len(options)))
    if side is not None:
        wrong = "over" if side == "under" else "under"
        narrowed = [i for i in allowed if not re.search(rf"\b{wrong} ?18\b", labels[i])]
        allowed = narrowed or allowed
    counts: dict[str, int] = {}
    for tokens in label_tokens:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    scores = [0.0] * len(options)
    every = set().union(*label_tokens) if label_tokens else set()
    for token in reply:
        if token in every:
            for i in allowed:
                if token in label_tokens[i]:
                    scores[i] += 1 / counts[token]
            continue
        if len(token) < 5 or len(token) > 20 or token.isdigit():
            continue
        for i in allowed:
            for label_token in label_tokens[i]:
                if len(label_token) < 5 or label_token.startswith("zz"):
                    continue
                matcher = SequenceMatcher(None, token, label_token)
                if matcher.real_quick_ratio() >= 0.85 and matcher.ratio() >= 0.85:
                    scores[i] += 0.9 / counts[label_token]
                    break
    best = max((scores[i] for i in allowed), default=0.0)
    if best <= 0:
        return [], 0.0
    tied = [options[i] for i in allowed if abs(scores[i] - best) < 1e-9]
    return tied, best


def _gender(options: list[dict], key: str) -> dict | None:
    sq = squash(key)
    for option in options:
        label = squash(_key(str(option.get("label", ""))))
        if label in ("male", "man", "boy") and sq in MALE_WORDS:
            return option
        if label in ("female", "woman", "girl") and sq in FEMALE_WORDS:
            return option
        if label in NON_BINARY_WORDS and sq in NON_BINARY_WORDS:
            return option
    return None


def _description(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" \t\n-\u2013\u2014:;,.()[]")
    return text


def _looks_like_words(key: str) -> bool:
    if _is_chatter(key):
        return False
    letters = re.findall(r"[^\W\d_]+", key)
    if not letters:
        return False
    if len(letters) == 1:
        word = letters[0]
        return len(word) >= 4 and bool(re.search(r"[aeiouy]", word))
    return True


def _choose(option: dict, description: str = "") -> Reading:
    raw: dict[str, Any] = {"choice": str(option["value"])}
    if option.get("other"):
        description = _description(description)
        if not re.search(r"[^\W\d_]", description):
            return _ask(_other_hint())
        if len(description) > MAX_OTHER:
            return _ask(TOO_LONG_HINT)
        raw["other"] = description
    return _answer(raw)


def _read_choice(question: Any, cleaned: str, key: str) -> Reading:
    options = _options(question)
    if not options:
        return _ask(TEXT_HINT)
    hint = _choice_hint(options)
    by_value = {str(o["value"]).casefold(): o for o in options}
    other_option = next((o for o in options if o.get("other")), None)
    gender = _gender(options, key)
    if gender is not None:
        return _choose(gender)
    # A number (or number word) first: "1", "1.", "option 1", "6 living with my nan".
    match = NUMBER_LEAD.match(key)
    if match:
        word, rest = match.group(1), match.group(2).strip()
        number = NUMBER_WORDS.get(word)
        value = str(number if number is not None else int(word))
        rest_number = re.match(r"^(?:or|and|maybe|/|\+|&|to)?\s*(\d{1,2})\b", rest)
        if rest_number and rest_number.group(1).lstrip("0") in by_value:
            tied = [by_value[value]] if value in by_value else []
            tied.append(by_value[rest_number.group(1).lstrip("0")])
            return _ask(_tie_hint(tied) if len(tied) == 2 else hint)
        if value in by_value:
            option = by_value[value]
            description = RAW_NUMBER_LEAD.sub("", cleaned, count=1) if option.get("other") else ""
            if option.get("other") and re.match(r"^\W*other\b", description, re.I):
                description = re.sub(r"^\W*other\b", "", description, flags=re.I)
            return _choose(option, description)
        if not re.search(r"[^\W\d_]{3,}", rest):
            return _ask(hint)
    # A letter: "a", "B)", "option c".
    letter = LETTER_ONLY.match(key)
    if letter:
        index = ord(letter.group(1)) - ord("a")
        if 0 <= index < len(options):
            return _choose(options[index])
        return _ask(hint)
    # "other - with my nan", "neither".
    other = OTHER_LEAD.match(key)
    if other or squash(key) in NOT_MY_OPTION_WORDS:
        if other_option is None:
            return Reading(Command.SKIP)
        if squash(key) in NON_BINARY_WORDS:  # their own word for it is the description
            return _choose(other_option, cleaned)
        if other:
            description = OTHER_LEAD.sub("", cleaned, count=1)
            return _choose(other_option, description)
        return _ask(_other_hint())
    # Words: the options' labels, with typos and synonyms.
    tied, _score = _score_options(options, key)
    tied = [o for o in tied if not o.get("other")] or tied
    if len(tied) == 1:
        if tied[0].get("other"):
            return _choose(tied[0], cleaned)
        return _choose(tied[0])
    if len(tied) > 1:
        return _ask(_tie_hint(tied))
    if other_option is not None and _looks_like_words(key):
        return _choose(other_option, cleaned)
    return _ask(hint)


def _read_multi_choice(question: Any, cleaned: str, key: str) -> Reading:
    """Not in the 2015 questionnaire: numbers or letters separated by spaces or commas."""
    options = _options(question)
    by_value = {str(o["value"]).casefold(): o for o in options}
    parts = re.findall(r"[^\s,;/&+]+", key.replace(" and ", " "))
    chosen: list[str] = []
    for part in parts:
        if part in by_value:
            chosen.append(str(by_value[part]["value"]))
        elif len(part) == 1 and part.isalpha() and ord(part) - ord("a") < len(options):
            chosen.append(str(options[ord(part) - ord("a")]["value"]))
        else:
            return _ask(_choice_hint(options))
    if not chosen:
        return _ask(_choice_hint(options))
    raw: dict[str, Any] = {"choices": list(dict.fromkeys(chosen))}
    if any(by_value[c.casefold()].get("other") for c in chosen):
        return _ask(_other_hint())
    return _answer(raw)


def _read_scale(key: str) -> Reading:
    match = re.fullmatch(r"(?:its |it is |id say |i d say )?(\d{1,2})(?: out of 10|/10)?", key)
    if match and 0 <= int(match.group(1)) <= 10:
        return _answer({"score": match.group(1).lstrip("0") or "0"})
    return _ask(N_("Reply with a number from 0 to 10, or SKIP"))


# --- Yes / no / not sure ------------------------------------------------------------------------

YES_PHRASES = (
    "yes", "y", "ye", "yea", "yeah", "yeh", "yah", "ya", "yep", "yup", "yh", "yas", "yus", "ys",
    "yse", "yrs", "yws", "tes", "yees", "sure", "ok", "okay", "k", "kk", "okey", "okie", "oki",
    "okey dokey", "defo", "def", "definitely", "definately", "defiantly", "deffinately",
    "absolutely", "of course", "ofc", "course", "go on", "go on then", "why not", "aye",
    "yes please",
    "please", "i would", "i will", "id like to", "i would like to", "id love to",
    "would love to", "love to", "id like that", "i would like that", "sounds good",
    "sounds great", "sounds fun", "sure thing", "alright", "all right", "aight", "interested",
    "im interested", "count me in", "im in", "yes i would", "probably", "prob", "think so",
    "i think so", "dont mind", "i dont mind", "wouldnt mind", "i wouldnt mind", "would do",
    "could be good", "that would be good", "yes defo", "yeah go on", "yea sure", "si", "oui",
    "yesh", "yass", "yeahh", "ja", "deffo", "certainly", "of course i would", "maybe yes",
)  # fmt: skip
NO_PHRASES = (
    "no", "n", "na", "nah", "naa", "nope", "nop", "nay", "noo", "no thanks", "no thank you",
    "no ta", "not really", "not interested", "not for me", "no way", "never", "no chance",
    "im good", "im ok", "im okay", "im alright", "im fine", "not at the moment",
    "not right now", "not now", "not atm", "probably not", "prob not", "doubt it",
    "i doubt it", "i dont think so", "dont think so", "i wouldnt", "wouldnt", "i wont",
    "rather not", "id rather not", "no i wouldnt", "definitely not", "defo not", "def not",
    "hell no", "nein", "non", "nah mate", "not bothered", "im not bothered", "no not really",
    "not keen", "im not keen", "not my thing", "no i dont", "i dont want to", "dont want to",
    "i dont", "no interest", "mo", "bo", "ni",
)  # fmt: skip
UNSURE_PHRASES = (
    "not sure", "unsure", "im not sure", "not too sure", "not so sure", "not sure yet",
    "maybe", "mayb", "mabye", "maybs", "maybee", "mby", "mebbe", "mebe", "dunno", "i dunno",
    "dno", "idk", "idek", "dk", "i dont know", "dont know", "dont no", "i dont no", "no idea",
    "no clue", "possibly", "possible", "perhaps", "might", "might do", "i might", "could do",
    "i could", "depends", "it depends", "depends when", "depends where", "not yet",
    "undecided", "50/50", "50 50", "kinda", "kind of", "sort of", "ish", "potentially",
    "not certain", "havent decided", "i havent decided", "thinking about it",
    "ill think about it", "let me think", "let me think about it", "need to think",
    "need to think about it", "maybe later", "maybe in the future", "idc", "i dont care",
    "dont care", "not bothered either way", "either", "either way", "whatever", "meh",
    "yes and no", "yes or no", "yes no", "yes/no", "im unsure", "unsure yet", "not decided",
    "depends on when", "depends on where", "depends what it is",
)  # fmt: skip
YES_NO_SKIP = _words(
    "skip", "skip it", "skip this", "skip this one", "skip question", "skip please", "pass",
    "next", "next question", "n/a", "not applicable", "rather not say", "prefer not to say",
    "id rather not say", "no comment", "private", "not telling", "not saying",
)  # fmt: skip
YES_EMOJI = "👍👌✅✔☑🙋🙌💯👏😀😃😄😁😊🙂☺😍🥰🤩❤💙💚💛💜🧡🖤🤍"
NO_EMOJI = "👎❌✖✗🙅⛔🚫"
UNSURE_EMOJI = "🤷🤔😕🫤😐🤨"


def _phrase_table() -> tuple[dict[str, str], re.Pattern[str]]:
    table: dict[str, str] = {}
    for choice, phrases in (
        ("yes", YES_PHRASES),
        ("no", NO_PHRASES),
        ("not_sure", UNSURE_PHRASES),
    ):
        for phrase in phrases:
            table.setdefault(squash(_key(phrase)), choice)
    ordered = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w/])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w/])")
    return table, pattern


YES_NO_TABLE, YES_NO_PATTERN = _phrase_table()
# Words too short or too loose to count when they are not the whole message or its start.
LOOSE = frozenset({"y", "n", "k", "ye", "ya", "na", "kk", "ok", "mo", "bo", "ni", "si", "ja",
                   "def", "prob", "non", "please", "might", "either", "course", "dk", "ish",
                   "whatever", "i dont", "i could", "tes", "ys"})  # fmt: skip


NOT_AT_START = frozenset({"i dont", "i could", "please", "either", "whatever"})
ASKING_WORDS = _words(
    "what is it", "what is a forum", "whats a forum", "what forum", "whats that", "what is that",
    "tell me more", "what do you mean", "what does that mean", "what group", "what is the group",
    "whats the group", "what is a care leavers forum", "what does it involve", "what", "huh",
    "wdym", "what do they do", "what happens", "what happens there",
)  # fmt: skip


def _read_yes_no(cleaned: str, key: str, question: Any = None) -> Reading:
    sq = squash(key)
    if sq in YES_NO_SKIP:
        return Reading(Command.SKIP)
    if sq in ASKING_WORDS:
        hint = str(getattr(question, "hint", "") or "").strip()
        return _ask(f"{hint} {YES_NO_HINT}".strip())
    if not sq:
        return _yes_no_emoji(cleaned)
    if sq in YES_NO_TABLE:
        return _answer({"choice": YES_NO_TABLE[sq]})
    # The start of the message: "yeah go on", "no not really, I work", "not sure what it is".
    match = YES_NO_PATTERN.match(sq)
    if match and match.group(0) not in NOT_AT_START:
        return _answer({"choice": YES_NO_TABLE[match.group(0)]})
    found = {
        YES_NO_TABLE[m.group(0)]
        for m in YES_NO_PATTERN.finditer(sq[:600])
        if m.group(0) not in LOOSE
    }
    if len(found) == 1:
        return _answer({"choice": found.pop()})
    if len(found) > 1:
        return _answer({"choice": "not_sure"}) if "not_sure" in found else _ask(YES_NO_HINT)
    words = sq.split()
    if len(words) == 1 and 3 <= len(words[0]) <= 12:
        close = _closest(words[0], [p for p in YES_NO_TABLE if " " not in p and len(p) >= 3])
        if close is not None:
            return _answer({"choice": YES_NO_TABLE[close]})
    emoji = _yes_no_emoji(cleaned)
    if emoji.command == Command.ANSWER:
        return emoji
    return _ask(YES_NO_HINT)


def _closest(word: str, candidates: list[str]) -> str | None:
    scored = sorted(((SequenceMatcher(None, word, c).ratio(), c) for c in candidates), reverse=True)
    if not scored or scored[0][0] < 0.8:
        return None
    best = scored[0]
    rivals = [c for r, c in scored[1:] if best[0] - r < 0.05]
    if any(YES_NO_TABLE[c] != YES_NO_TABLE[best[1]] for c in rivals):
        return None
    return best[1]


def _yes_no_emoji(cleaned: str) -> Reading:
    found = set()
    for ch in cleaned:
        if ch in YES_EMOJI:
            found.add("yes")
        elif ch in NO_EMOJI:
            found.add("no")
        elif ch in UNSURE_EMOJI:
            found.add("not_sure")
    if len(found) == 1:
        return _answer({"choice": found.pop()})
    return _ask(YES_NO_HINT)


# --- Free text -----------------------------------------------------------------------------------

BULLET = r"[•·▪●◦‣∙*\-\u2013\u2014>+]"
LINE_NUMBER = re.compile(
    rf"^\s*(?:(?:\(?\d{{1,2}}\s*[).:\]]|\d{{1,2}}\s*[-\u2013\u2014]|[a-c][).]|{BULLET}+)\s*)+"
)
BARE_LINE_NUMBER = re.compile(r"^\s*(\d{1,2})\s+(?=[^\W\d_])")
INLINE_NUMBER = re.compile(r"(?:^|\s)(\d)\s*[).:\-]\s*")


def _is_emoji_only(text: str) -> bool:
    return not _key(text)


def _split_inline_numbers(line: str) -> list[str] | None:
    """ "1. money 2. freedom 3. my own space" (numbers 1, 2, 3... in order) or
    "1 money 2 freedom 3 space" when the line starts with 1."""
    for pattern in (INLINE_NUMBER, re.compile(r"(?:^|\s)(\d)\s+(?=[^\W\d_])")):
        marks = list(pattern.finditer(line))
        numbers = [int(m.group(1)) for m in marks]
        if len(marks) >= 2 and numbers == list(range(1, len(marks) + 1)) and marks[0].start() == 0:
            parts = [
                line[m.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(line))]
                for i, m in enumerate(marks)
            ]
            return [p.strip() for p in parts]
    return None


def _short_list(parts: list[str]) -> bool:
    if len(parts) < 2:
        return False
    joiners = re.compile(
        r"^(?:which|but|because|cos|coz|cuz|so|as|that|who|when|if|like|and then|then|"
        r"though|tho|although|or|etc|especially|even)\b",
        re.I,
    )
    for part in parts:
        words = part.split()
        if not words or len(words) > 6 or joiners.match(part.strip()):
            return False
    return True


def _split_items(cleaned: str) -> list[str]:
    lines = [line for line in cleaned.split("\n") if line.strip()]
    bare = [BARE_LINE_NUMBER.match(line) for line in lines]
    if len(lines) > 1 and all(bare):
        numbers = [int(m.group(1)) for m in bare if m]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            lines = [BARE_LINE_NUMBER.sub("", line, count=1) for line in lines]
    items: list[str] = []
    separated = len(lines) > 1
    for line in lines:
        inline = _split_inline_numbers(line)
        if inline is not None:
            items.extend(inline)
            separated = True
            continue
        stripped = LINE_NUMBER.sub("", line, count=1)
        if stripped != line:
            separated = True
        if ";" in stripped:
            items.extend(stripped.split(";"))
            separated = True
            continue
        items.append(stripped)
    if not separated and len(items) == 1:
        line = items[0]
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 2 and len(line) <= 160:
            last = parts[-1]
            tail = re.split(r"\s+(?:and|&|n)\s+", last, maxsplit=1)
            if len(tail) == 2 and all(0 < len(t.split()) <= 3 for t in tail):
                parts = parts[:-1] + tail
            if _short_list(parts):
                items = parts
    items = [re.sub(r"\s+", " ", i).strip(" \t,;") for i in items]
    items = [i for i in items if i and not _is_emoji_only(i)]
    if len(items) > 1:
        items = [i[:-1].rstrip() if i.endswith(".") and not i.endswith("..") else i for i in items]
    return [i for i in items if i]


def _read_items(question: Any, cleaned: str, key: str) -> Reading:
    hint = _hint(question, SHORT_ITEMS)
    if _is_chatter(key) or re.fullmatch(r"[\d\s/+]+", key):
        return _ask(hint)
    items = _split_items(cleaned)
    if not items:
        return _ask(hint)
    if any(len(i) > MAX_TEXT for i in items):
        return _ask(TOO_LONG_HINT)
    return _answer({"items": items})


def _read_text(cleaned: str, key: str) -> Reading:
    if _is_chatter(key) or re.fullmatch(r"[\d\s/+]+", key):
        return _ask(TEXT_HINT)
    if len(cleaned) > MAX_TEXT:
        return _ask(TOO_LONG_HINT)
    return _answer({"text": cleaned})


# --- read_as -------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def read_as(reading: Reading) -> str:
    """One line for the ``read_as`` column: an ISO date for a date of birth (``age:19`` for a
    bare age), the option number (``6:description`` for "other"; numbers joined by ``|`` for
    several), list items joined by ``|``, the text, ``yes``/``no``/``not_sure``, a score, or the
    command's name (SKIP, STOP, START, HELP, BACK, ASK_AGAIN)."""
    if reading.command != Command.ANSWER or reading.raw is None:
        return str(reading.command.value)
    raw = reading.raw
    if reading.date_of_birth is not None:
        return reading.date_of_birth.isoformat()
    if "age" in raw:
        return f"age:{raw['age']}"
    if "day" in raw:
        return f"{int(raw['year']):04d}-{int(raw['month']):02d}-{int(raw['day']):02d}"
    if "choices" in raw:
        return "|".join(str(c) for c in raw["choices"])
    if "choice" in raw:
        if raw.get("other"):
            return f"{raw['choice']}:{_one_line(raw['other'])}"
        return str(raw["choice"])
    if "items" in raw:
        return "|".join(_one_line(i) for i in raw["items"])
    if "text" in raw:
        return _one_line(raw["text"])
    if "score" in raw:
        return str(raw["score"])
    return str(reading.command.value)  # pragma: no cover
