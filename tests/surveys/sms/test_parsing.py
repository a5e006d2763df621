"""The forgiving SMS reply parser: realistic replies per question kind, commands, re-asks, and a
fuzz test that it never raises and its answers suit the engine."""

from __future__ import annotations

import contextlib
import csv
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import engine
from surveys.sms import parsing
from surveys.sms.cli import SmsQuestion, load_questions
from surveys.sms.parsing import Command, Reading, _read, read_as, read_reply

TODAY = date(2026, 3, 1)
QUESTIONS = load_questions()
HELDOUT = [Path(__file__).with_name(n) for n in ("heldout_replies.tsv", "heldout_replies_2.tsv")]


def read(code: str, text: str) -> str:
    return read_as(read_reply(QUESTIONS[code], text, today=TODAY))


DATES_OF_BIRTH = [
    ("1/6/05", "2005-06-01"),
    ("01/06/2005", "2005-06-01"),
    ("1-6-2005", "2005-06-01"),
    ("1.6.05", "2005-06-01"),
    ("1 6 2005", "2005-06-01"),
    ("1st June 2005", "2005-06-01"),
    ("June 1 2005", "2005-06-01"),
    ("june 1st, 2005", "2005-06-01"),
    ("1 jun 05", "2005-06-01"),
    ("01062005", "2005-06-01"),
    ("010605", "2005-06-01"),
    ("2005-06-01", "2005-06-01"),
    ("20050601", "2005-06-01"),
    ("1st of june 05", "2005-06-01"),
    ("1stjune2005", "2005-06-01"),
    ("3 jnue 2004", "2004-06-03"),
    ("12 febuary 2006", "2006-02-12"),
    ("9 septmber 2003", "2003-09-09"),
    ("9 sept 03", "2003-09-09"),
    ("25th dec 2000", "2000-12-25"),
    ("27/3/2007", "2007-03-27"),
    ("27 3 2007", "2007-03-27"),
    ("my dob is 27/03/07", "2007-03-27"),
    ("born on the 4th of july 2002", "2002-07-04"),
    ("Its 15.11.2001 x", "2001-11-15"),
    ("11/15/2001", "2001-11-15"),  # month first only because day first is impossible
    ("6/1/2005", "2005-01-06"),  # day first (UK) when both could be real
    ("1/6/99", "1999-06-01"),
    ("1/6/85", "1985-06-01"),
    ("twenty first of may 2004", "2004-05-21"),
    ("1062005", "ASK_AGAIN"),  # 1/06/2005 or 10/6/2005
    ("19", "age:19"),
    ("im 19", "age:19"),
    ("I'm 22 years old", "age:22"),
    ("age 18", "age:18"),
    ("21yrs", "age:21"),
    ("5", "ASK_AGAIN"),
    ("31/2/2005", "ASK_AGAIN"),
    ("32/1/2005", "ASK_AGAIN"),
    ("1/13/2005", "2005-01-13"),
    ("13/13/2005", "ASK_AGAIN"),
    ("1/6/2027", "ASK_AGAIN"),
    ("1/6/1890", "ASK_AGAIN"),
    ("june 2005", "ASK_AGAIN"),
    ("2005", "ASK_AGAIN"),
    ("1st june", "ASK_AGAIN"),
    ("1/6", "ASK_AGAIN"),
    ("no", "ASK_AGAIN"),
    ("hello", "ASK_AGAIN"),
    ("dunno", "SKIP"),
    ("not telling you", "SKIP"),
    ("skip", "SKIP"),
    ("SKIP.", "SKIP"),
    ("", "ASK_AGAIN"),
    ("🎂", "ASK_AGAIN"),
]

STAGES = [
    ("1", "1"),
    ("1.", "1"),
    ("1)", "1"),
    ("option 3", "3"),
    ("number 4", "4"),
    ("#5", "5"),
    ("5 ", "5"),
    ("five", "5"),
    ("a", "1"),
    ("B", "2"),
    ("d)", "4"),
    ("3 - staying put", "3"),
    ("staying put", "3"),
    ("Staying put with my foster carer", "3"),
    ("still with my foster family, im 19", "3"),
    ("hostel", "4"),
    ("Im in a hostel", "4"),
    ("supported", "4"),
    ("supported housing", "4"),
    ("semi independent", "4"),
    ("semi-independent", "4"),
    ("foyer", "4"),
    ("independent", "5"),
    ("independently", "5"),
    ("indipendent", "5"),
    ("on my own", "5"),
    ("I live on my own in a council flat", "5"),
    ("my own flat", "5"),
    ("I'm 19 and live in my own flat", "5"),
    ("childrens home", "1"),
    ("im 16 and in foster care", "1"),
    ("17 and left care", "2"),
    ("under 18 left care", "2"),
    ("6 living with my nan", "6:living with my nan"),
    ("6. with my nan", "6:with my nan"),
    ("6 - back home with mum", "6:back home with mum"),
    ("other - with my nan", "6:with my nan"),
    ("Other: in the army", "6:in the army"),
    ("other (prison)", "6:prison"),
    ("with my nan", "6:with my nan"),
    ("homeless at the moment", "6:homeless at the moment"),
    ("living with my girlfriend", "6:living with my girlfriend"),
    ("foster", "ASK_AGAIN"),  # in care (1) or staying put (3)?
    ("over 18", "ASK_AGAIN"),
    ("under 18", "ASK_AGAIN"),
    ("4 or 5", "ASK_AGAIN"),
    ("3/4", "ASK_AGAIN"),
    ("7", "ASK_AGAIN"),
    ("0", "ASK_AGAIN"),
    ("19", "ASK_AGAIN"),
    ("6", "ASK_AGAIN"),
    ("other", "ASK_AGAIN"),
    ("g", "ASK_AGAIN"),
    ("yes", "ASK_AGAIN"),
    ("lol", "ASK_AGAIN"),
    ("?", "ASK_AGAIN"),
    ("not sure", "SKIP"),
    ("rather not say", "SKIP"),
]

GENDER = [
    ("1", "1"),
    ("2", "2"),
    ("male", "1"),
    ("Male.", "1"),
    ("MALE", "1"),
    ("m", "1"),
    ("boy", "1"),
    ("a lad", "1"),
    ("man", "1"),
    ("im a boy", "1"),
    ("boy x", "1"),
    ("trans man", "1"),
    ("mail", "1"),
    ("female", "2"),
    ("Female 😊", "2"),
    ("f", "2"),
    ("F", "2"),
    ("girl", "2"),
    ("woman", "2"),
    ("femal", "2"),
    ("femail", "2"),
    ("im a girl", "2"),
    ("she/her", "2"),
    ("a", "1"),
    ("b", "2"),
    ("non binary", "SKIP"),
    ("other", "SKIP"),
    ("prefer not to say", "SKIP"),
    ("3", "ASK_AGAIN"),
    ("c", "ASK_AGAIN"),
    ("yes", "ASK_AGAIN"),
]

FORUM = [
    ("yes", "yes"),
    ("Yes.", "yes"),
    ("YES!!!", "yes"),
    ("yeah", "yes"),
    ("ye", "yes"),
    ("yep", "yes"),
    ("yh", "yes"),
    ("ya", "yes"),
    ("y", "yes"),
    ("sure", "yes"),
    ("ok", "yes"),
    ("okay", "yes"),
    ("defo", "yes"),
    ("deffo", "yes"),
    ("definitely", "yes"),
    ("yes please", "yes"),
    ("yesss", "yes"),
    ("👍", "yes"),
    ("yeah that sounds good", "yes"),
    ("I would like that", "yes"),
    ("no", "no"),
    ("No.", "no"),
    ("nah", "no"),
    ("nope", "no"),
    ("n", "no"),
    ("no thanks", "no"),
    ("not really", "no"),
    ("👎", "no"),
    ("nah im good", "no"),
    ("not interested", "no"),
    ("no i work full time", "no"),
    ("not sure", "not_sure"),
    ("maybe", "not_sure"),
    ("dunno", "not_sure"),
    ("idk", "not_sure"),
    ("i don't know", "not_sure"),
    ("possibly", "not_sure"),
    ("might", "not_sure"),
    ("🤷", "not_sure"),
    ("🤷‍♀️", "not_sure"),
    ("depends when it is", "not_sure"),
    ("maybe if its near me", "not_sure"),
    ("yes and no", "not_sure"),
    ("skip", "SKIP"),
    ("STOP", "STOP"),
    ("what is it?", "ASK_AGAIN"),
    ("hello", "ASK_AGAIN"),
    ("", "ASK_AGAIN"),
    ("🙈", "ASK_AGAIN"),
]

BEST_THINGS = [
    ("freedom", "freedom"),
    ("Freedom!", "Freedom!"),
    ("freedom, money, my own flat", "freedom|money|my own flat"),
    ("freedom, money and my own flat", "freedom|money|my own flat"),
    ("1. freedom\n2. money\n3. own space", "freedom|money|own space"),
    ("1) freedom\n2) money\n3) own space", "freedom|money|own space"),
    ("1 - freedom\n2 - money", "freedom|money"),
    ("1 freedom\n2 money\n3 own space", "freedom|money|own space"),
    ("1. freedom 2. money 3. own space", "freedom|money|own space"),
    ("• freedom\n• money", "freedom|money"),
    ("- freedom\n- money\n- my own rules", "freedom|money|my own rules"),
    ("freedom; money; own space", "freedom|money|own space"),
    ("freedom\n\nmoney", "freedom|money"),
    ("freedom.\nmoney.", "freedom|money"),
    ("freedom 🎉\nmoney 💰", "freedom 🎉|money 💰"),
    ("freedom\n🎉", "freedom"),
    (
        "being able to do what i want, when i want",
        "being able to do what i want, when i want",
    ),
    (
        "not having to ask permission to stay at a mates, which was annoying",
        "not having to ask permission to stay at a mates, which was annoying",
    ),
    ("having 2 kids", "having 2 kids"),
    ("a, b, c, d, e", "a|b|c|d|e"),
    ("nothing", "nothing"),
    ("none", "none"),
    ("no", "SKIP"),
    ("nope", "SKIP"),
    ("skip", "SKIP"),
    ("idk", "SKIP"),
    ("yes", "ASK_AGAIN"),
    ("😊", "ASK_AGAIN"),
    ("3", "ASK_AGAIN"),
    ("help", "HELP"),
]

ADVICE = [
    ("be yourself", "be yourself"),
    ("be yourself ❤️", "be yourself ❤️"),
    ("Ask for help.\nDon't be scared.", "Ask for help. Don't be scared."),
    ("save   money", "save money"),
    ("stop moving me around", "stop moving me around"),
    ("stop spending all your money on takeaways", "stop spending all your money on takeaways"),
    ("help me", "help me"),  # screened for safeguarding as an answer
    ("no", "SKIP"),
    ("nothing", "SKIP"),
    ("nah nothing else", "SKIP"),
    ("no nothing else thanks", "SKIP"),
    ("no thats it", "SKIP"),
    ("yes", "ASK_AGAIN"),
    ("ok", "ASK_AGAIN"),
    ("💯", "ASK_AGAIN"),
    ("???", "ASK_AGAIN"),
    ("x", "ASK_AGAIN"),
    ("STOP", "STOP"),
    ("Stop.", "STOP"),
    ("stop!!! 🛑", "STOP"),
    ("please stop texting me", "STOP"),
    ("stop the survey please", "STOP"),
    ("stop texting me", "STOP"),
    ("unsubscribe", "STOP"),
    ("END", "STOP"),
    ("quit", "STOP"),
    ("cancel", "STOP"),
    ("stopall", "STOP"),
    ("START", "START"),
    ("unstop", "START"),
    ("HELP", "HELP"),
    ("info", "HELP"),
    ("who is this?", "HELP"),
    ("back", "BACK"),
    ("go back", "BACK"),
    ("previous", "BACK"),
    ("pass", "SKIP"),
    ("next", "SKIP"),
    ("n/a", "SKIP"),
    ("N/A", "SKIP"),
    ("rather not say", "SKIP"),
    ("no idea", "SKIP"),
]


@pytest.mark.parametrize(("reply", "expected"), DATES_OF_BIRTH)
def test_date_of_birth(reply, expected):
    assert read("Q1", reply) == expected


@pytest.mark.parametrize(("reply", "expected"), STAGES)
def test_stage_of_leaving_care(reply, expected):
    assert read("Q2", reply) == expected


@pytest.mark.parametrize(("reply", "expected"), GENDER)
def test_male_or_female(reply, expected):
    assert read("Q3", reply) == expected


@pytest.mark.parametrize(("reply", "expected"), FORUM)
def test_yes_no_not_sure(reply, expected):
    assert read("Q11", reply) == expected


@pytest.mark.parametrize(("reply", "expected"), BEST_THINGS)
def test_best_three_things(reply, expected):
    assert read("Q4", reply) == expected


@pytest.mark.parametrize(("reply", "expected"), ADVICE)
def test_advice_and_commands(reply, expected):
    assert read("Q7", reply) == expected


def test_the_tables_are_big_enough():
    total = sum(map(len, (DATES_OF_BIRTH, STAGES, GENDER, FORUM, BEST_THINGS, ADVICE)))
    assert total >= 150


def test_commands_work_on_every_question():
    for code, question in QUESTIONS.items():
        for text, command in [
            ("STOP", Command.STOP),
            ("stop.", Command.STOP),
            ("Unsubscribe", Command.STOP),
            ("START", Command.START),
            ("help", Command.HELP),
            ("back", Command.BACK),
            ("skip", Command.SKIP),
        ]:
            assert read_reply(question, text, today=TODAY).command == command, (code, text)


def test_no_is_an_answer_on_yes_no_but_dunno_is_skip_elsewhere():
    assert read("Q11", "no") == "no"
    assert read("Q11", "dunno") == "not_sure"
    assert read("Q2", "dunno") == "SKIP"
    assert read("Q12", "no") == "SKIP"
    assert read("Q11", "na") == "no"


def test_a_date_of_birth_reading_carries_the_date_and_the_engine_shape():
    reading = read_reply(QUESTIONS["Q1"], "1st June 2005", today=TODAY)
    assert reading.command == Command.ANSWER
    assert reading.date_of_birth == date(2005, 6, 1)
    assert reading.raw == {"day": "1", "month": "6", "year": "2005"}


def test_two_digit_years_are_read_so_the_age_is_plausible():
    assert read_reply(QUESTIONS["Q1"], "1/6/10", today=TODAY).date_of_birth == date(2010, 6, 1)
    assert read_reply(QUESTIONS["Q1"], "1/6/97", today=TODAY).date_of_birth == date(1997, 6, 1)
    later = date(2040, 1, 1)
    assert read_reply(QUESTIONS["Q1"], "1/6/12", today=later).date_of_birth == date(2012, 6, 1)
    # 2020 would make you 5, 1920 105: ask for the year with 4 numbers (as the web does).
    unclear = read_reply(QUESTIONS["Q1"], "1/6/20", today=TODAY)
    assert unclear.command == Command.ASK_AGAIN and "4 numbers" in unclear.reason


def test_a_bare_age_is_an_age_answer():
    reading = read_reply(QUESTIONS["Q1"], "im 19", today=TODAY)
    assert reading.raw == {"age": 19} and reading.date_of_birth is None
    assert read_as(reading) == "age:19"


def test_ask_again_says_what_to_send():
    assert "1 to 6" in read_reply(QUESTIONS["Q2"], "9", today=TODAY).reason
    assert "1 or 3" in read_reply(QUESTIONS["Q2"], "foster", today=TODAY).reason
    assert "YES, NO or NOT SURE" in read_reply(QUESTIONS["Q11"], "hm", today=TODAY).reason
    assert "27/3/2007" in read_reply(QUESTIONS["Q1"], "31/2/2005", today=TODAY).reason
    assert "forum" in read_reply(QUESTIONS["Q11"], "what is a forum?", today=TODAY).reason
    for code, question in QUESTIONS.items():
        reading = read_reply(question, "   ", today=TODAY)
        assert reading.command == Command.ASK_AGAIN and reading.reason, code
        assert reading.reason.isascii(), code  # stays one GSM-7 text


def test_answers_pass_the_engine():
    for code, table in [
        ("Q1", DATES_OF_BIRTH),
        ("Q2", STAGES),
        ("Q3", GENDER),
        ("Q4", BEST_THINGS),
        ("Q7", ADVICE),
        ("Q11", FORUM),
    ]:
        for reply, _expected in table:
            reading = read_reply(QUESTIONS[code], reply)
            if reading.command == Command.ANSWER:
                engine.validate(QUESTIONS[code], reading.raw)


def test_odd_input_never_raises():
    question = QUESTIONS["Q7"]
    for text in [None, "", " \n\t ", "\x00\x01", "\ud800", "\u200f\u200e", "a" * 10_000, 42]:
        reading = read_reply(question, text)
        assert isinstance(reading, Reading) and isinstance(read_as(reading), str)
    assert read_as(read_reply(question, "a" * 10_000)) == "ASK_AGAIN"
    assert read("Q7", "\u200fbe kind\u200e") == "be kind"
    assert read("Q2", "6 " + "x" * 600) == "ASK_AGAIN"


def test_limits_agree_with_the_engine():
    assert parsing.MAX_TEXT == engine.MAX_TEXT
    with pytest.raises(engine.AnswerInvalid):
        engine.validate(QUESTIONS["Q2"], {"choice": "6", "other": "x" * (parsing.MAX_OTHER + 1)})


def test_a_question_that_is_a_plain_object_works():
    question = SmsQuestion(code="X1", kind="single_choice", options=[
        {"value": "1", "label": "Every day"},
        {"value": "2", "label": "Every week"},
        {"value": "3", "label": "Never"},
    ])  # fmt: skip
    assert read_as(read_reply(question, "never")) == "3"
    assert read_as(read_reply(question, "every")) == "ASK_AGAIN"
    assert read_as(read_reply(question, "something else")) == "SKIP"


@pytest.mark.parametrize("path", HELDOUT, ids=lambda p: p.name)
def test_the_held_out_table_is_read_as_a_person_would(path):
    """Tables written before tuning (first runs: 127 of 130, then 105 of 107, read right)."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    wrong = [
        (row["question"], row["reply"], row["expected"], got)
        for row in rows
        if (got := read(row["question"], row["reply"].replace("\\n", "\n"))) != row["expected"]
    ]
    assert len(rows) >= 100
    assert len(wrong) / len(rows) <= 0.05, wrong


# --- Fuzzing ------------------------------------------------------------------------------------

REPLIES = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=50),
    st.text(alphabet="0123456789/.- stndrhjuneofyesSTOP\n\t🤷👍", max_size=30),
    st.text(min_size=1500, max_size=2500),
    st.sampled_from(["\ud83d", "\u202e1/6/05", "STOP\x00", "\x1b[31m", "6 \u200f", ""]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.sampled_from(sorted(QUESTIONS)), text=REPLIES)
def test_fuzz_every_question_always_gives_a_reading(code, text):
    question = QUESTIONS[code]
    reading = _read(question, text)  # the unguarded reader: a bug must show up here
    assert isinstance(reading, Reading)
    assert isinstance(read_as(reading), str) and "\n" not in read_as(reading)
    assert read_reply(question, text) == reading
    if reading.command == Command.ASK_AGAIN:
        assert reading.reason
    if reading.command == Command.ANSWER:
        with contextlib.suppress(engine.AnswerInvalid):
            engine.validate(question, reading.raw)


GENDER_WITH_NON_BINARY = SimpleNamespace(
    code="Q3",
    kind="single_choice",
    options=[
        {"value": "1", "label": "Male"},
        {"value": "2", "label": "Female"},
        {"value": "3", "label": "Non-binary"},
        {"value": "4", "label": "Other", "other": True},
    ],
)
GENDER_WITH_OTHER = SimpleNamespace(
    code="Q3",
    kind="single_choice",
    options=[
        {"value": "1", "label": "Male"},
        {"value": "2", "label": "Female"},
        {"value": "3", "label": "Other", "other": True},
    ],
)


@pytest.mark.parametrize(
    "reply", ["non binary", "Non-binary", "nonbinary", "NB", "nb", "enby", "Non binary x", "3"]
)
def test_non_binary_by_text_is_stored_as_the_non_binary_option(reply):
    assert read_as(read_reply(GENDER_WITH_NON_BINARY, reply, today=TODAY)) == "3"


@pytest.mark.parametrize("reply", ["non binary", "non-binary", "nb", "enby"])
def test_non_binary_is_other_in_their_own_words_where_there_is_no_such_option(reply):
    reading = read_reply(GENDER_WITH_OTHER, reply, today=TODAY)
    assert read_as(reading).startswith("3:")
    assert reading.raw["other"].casefold() == reply.casefold()
