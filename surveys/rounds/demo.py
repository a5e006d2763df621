"""Fictional survey demo data: two Northbridge rounds with made-up responses.

Every answer here is invented and written to read like a real care leaver's, without being a
safeguarding disclosure (tests/surveys/rounds/test_demo.py screens every text to keep it so).
Rows are made directly with the models, without screening, so the seed is fast. A seeded
random number generator makes the data the same every time. Idempotent: a round whose slug
already exists is left as it is.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.core import clock
from app.core.extensions import db
from surveys.models import (
    Answer,
    Question,
    Questionnaire,
    Response,
    RoundStatus,
    RoundTally,
    SurveyRound,
)
from surveys.services import load_questionnaire_file

CURRENT_SLUG, LAST_YEAR_SLUG = "nb2026", "nb2025"

OTHER_STAGES = [
    "Living with my nan",
    "At university, in halls",
    "Living with my girlfriend",
    "Back living with my mum",
    "In a flat with my brother",
    "Staying with my old foster carer's family",
]

BEST = [
    "Having my own space",
    "Freedom to do what I want",
    "My PA is always there when I need her",
    "Learning to cook for myself",
    "Getting my own flat",
    "Choosing what time I go to bed",
    "Being independent",
    "The bursary for college",
    "Setting up home grant for my furniture",
    "No more LAC reviews",
    "Seeing my friends when I want",
    "Decorating my flat how I like",
    "Having a dog",
    "Being treated like an adult",
    "Council tax exemption",
    "Going to the care leavers drop-in",
    "Managing my own money",
    "Getting a job at the cafe",
    "Being closer to my sister",
    "Nobody checking up on me all the time",
    "Help with my driving lessons",
    "Being listened to at my pathway plan meeting",
]

WORST = [
    "Paying bills",
    "Feeling lonely in the evenings",
    "Not enough money at the end of the month",
    "Waiting ages for a flat",
    "My PA keeps changing",
    "Council tax letters",
    "Not knowing who to ring",
    "Cooking every day",
    "Missing my foster family",
    "Gas and electric on a meter",
    "Universal Credit forms",
    "Moving too far from my college",
    "Having to grow up fast",
    "Not being listened to",
    "Food shopping on a budget",
    "Getting the bus everywhere",
    "Sorting out repairs with the landlord",
    "Nobody to ask for advice at weekends",
    "Losing touch with friends from my old area",
    "Wifi costs a lot",
]

PREPARED = [
    "Learn to budget before I moved out",
    "Cooking lessons when I was in foster care",
    "Help understanding bills",
    "A training flat to practise living alone",
    "How to register with a GP and dentist",
    "Help to open a bank account",
    "More time with my PA before I moved",
    "How to talk to a landlord",
    "Being told about my rights earlier",
    "How to use a washing machine properly",
    "Knowing what the council pays for",
    "Meeting other care leavers first",
    "Practice filling in forms",
    "Learning how to save",
    "Going to see the flat before moving in",
    "Knowing how to get to college on my own",
]

ADVICE = [
    "Ask for help, your PA is there for a reason.",
    "Save a bit of money every week even if it's only a fiver.",
    "Don't be afraid to say what you need.",
    "Learn to cook a few cheap meals before you move out.",
    "Keep in touch with people who care about you.",
    "Go to college, it's worth it in the end.",
    "Read your pathway plan and make sure it says what you want.",
    "Go to the drop-in, you meet people who get it.",
    "Pay your bills first, then spend what's left.",
    "Take it one day at a time.",
    "Keep all your letters in one folder.",
    "Don't lend money to people you've just met.",
    "Join the forum, they actually listen.",
    "It gets easier after the first few months.",
]

ANYTHING_ELSE = [
    "More drop-ins in the evening please",
    "It would help if PAs answered texts quicker",
    "The council tax exemption has really helped me",
    "Please keep the forum going",
    "Thanks for asking us what we think",
    "More help with driving lessons",
    "Wifi in supported housing would make a big difference",
    "Listen to us when we say we are not ready to move",
    "Starter packs for new flats should have pans and a kettle",
    "A phone number that works at weekends",
    "Free bus pass until 25",
    "More trips and activities so we can meet each other",
    "Help with the cost of a passport and ID",
    "Let us meet our new PA before the old one leaves",
]


def demo_texts() -> list[str]:
    """Every free text the seed can write (the tests screen them all)."""
    return [*OTHER_STAGES, *BEST, *WORST, *PREPARED, *ADVICE, *ANYTHING_ELSE]


def seed_survey_demo(on: date | None = None) -> None:
    """Add the two demo rounds and their responses if they are not there yet."""
    on = on or clock.today()
    questionnaire = load_questionnaire_file()
    rng = random.Random(2026)
    if not _round_exists(CURRENT_SLUG):
        current = _make_round(
            questionnaire,
            "Northbridge care leavers survey 2026",
            CURRENT_SLUG,
            opens_on=on - timedelta(days=60),
            closes_on=on + timedelta(days=60),
            status=RoundStatus.OPEN,
        )
        _add_responses(rng, current, questionnaire, 120, first=on - timedelta(days=50), last=on)
    if not _round_exists(LAST_YEAR_SLUG):
        opens_on = on - timedelta(days=425)
        previous = _make_round(
            questionnaire,
            "Northbridge care leavers survey 2025",
            LAST_YEAR_SLUG,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=90),
            status=RoundStatus.CLOSED,
        )
        _add_responses(
            rng,
            previous,
            questionnaire,
            80,
            first=opens_on + timedelta(days=3),
            last=opens_on + timedelta(days=88),
            unfinished=0.0,
        )
    db.session.commit()


def _round_exists(slug: str) -> bool:
    return db.session.scalar(sa.select(SurveyRound.id).where(SurveyRound.slug == slug)) is not None


def _make_round(
    questionnaire: Questionnaire,
    name: str,
    slug: str,
    *,
    opens_on: date,
    closes_on: date,
    status: RoundStatus,
) -> SurveyRound:
    questionnaire.status = "locked"  # a round that has opened has locked its questionnaire
    survey_round = SurveyRound(
        name=name,
        slug=slug,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
        status=status.value,
        target_rate=30,
        cohort_size=400,
        channels=["web", "sms", "paper"],
    )
    db.session.add(survey_round)
    return survey_round


def _add_responses(
    rng: random.Random,
    survey_round: SurveyRound,
    questionnaire: Questionnaire,
    count: int,
    *,
    first: date,
    last: date,
    unfinished: float = 0.1,
) -> None:
    questions = list(questionnaire.questions)
    span = (last - first).days
    finished: Counter[date] = Counter()  # for the daily tallies: responses keep no date
    for _ in range(count):
        channel = rng.choices(["web", "sms", "paper", "phone"], weights=[60, 20, 12, 8])[0]
        # More answers in the first fortnight after launch, fewer later on.
        started_on = first + timedelta(days=min(int(rng.triangular(0, span, 0)), span))
        in_progress = channel in ("web", "sms") and rng.random() < unfinished * 1.25
        response = Response(
            round=survey_round,
            channel=channel,
            assisted=channel == "phone",
            status="in_progress" if in_progress else "complete",
        )
        if not in_progress:
            took = timedelta(days=rng.choice([0] * 8 + [1, 2]))
            finished[min(started_on + took, last)] += 1
        answering = questions[: rng.randrange(0, len(questions))] if in_progress else questions
        age = rng.choices(range(16, 26), weights=[6, 12, 14, 14, 12, 10, 8, 6, 5, 3])[0]
        for question in answering:
            response.answers.append(_answer(rng, question, age, channel))
        db.session.add(response)
    db.session.flush()  # the round's id, for its tallies
    running = 0
    for offset in range(span + 1):
        day = first + timedelta(days=offset)
        running += finished[day]
        db.session.add(RoundTally(round_id=survey_round.id, on=day, complete=running))


def _answer(rng: random.Random, question: Question, age: int, channel: str) -> Answer:
    skip_chance = {"Q3": 0.05, "Q7": 0.2, "Q12": 0.4}.get(question.code, 0.06)
    if rng.random() < skip_chance:
        return Answer(question=question, skipped=True, value=None)
    return Answer(question=question, value=_value(rng, question, age, channel))


def _value(rng: random.Random, question: Question, age: int, channel: str) -> dict[str, Any]:
    code = question.code
    if code == "Q1":
        return {"age": age}
    if code == "Q2":
        if rng.random() < 0.08:
            return {"choice": "6", "other": rng.choice(OTHER_STAGES)}
        stages = ["1", "2"] if age < 18 else ["3", "4", "5"]
        weights = [3, 1] if age < 18 else [2, 3, 5]
        return {"choice": rng.choices(stages, weights=weights)[0]}
    if code == "Q3":
        return {"choice": rng.choice(["1", "2"])}
    if code in ("Q4", "Q5", "Q6"):
        pool = {"Q4": BEST, "Q5": WORST, "Q6": PREPARED}[code]
        most = 2 if channel == "sms" else 3
        return {"items": rng.sample(pool, rng.choices(range(1, most + 1), k=1)[0])}
    if code == "Q7":
        return {"text": rng.choice(ADVICE)}
    if code == "Q11":
        return {"choice": rng.choices(["yes", "no", "not_sure"], weights=[3, 4, 3])[0]}
    if code == "Q12":
        return {"text": rng.choice(ANYTHING_ELSE)}
    raise ValueError(f"No demo answer for {code}")  # a new question needs demo answers
