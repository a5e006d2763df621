"""Fictional themes demo: last year's round fully coded, this year's about 60% coded, a 20%
double-coding sample with a few disagreements, and eight approved (redacted) quotes.

Themes for each demo answer are set by hand below, as a participation worker would code them.
Idempotent: a round that already has a codebook is left as it is.
"""

from __future__ import annotations

import random

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import StaffUser
from surveys.rounds.demo import CURRENT_SLUG, LAST_YEAR_SLUG
from surveys.services import round_by_slug
from surveys.themes import services
from surveys.themes.models import Coding, Quote, Theme

# Demo text -> theme keys, as a coder would choose them.
DEMO_THEMES: dict[str, list[str]] = {
    # Q2 "other" stages
    "Living with my nan": ["relationships", "housing"],
    "At university, in halls": ["education_work", "housing"],
    "Living with my girlfriend": ["relationships", "housing"],
    "Back living with my mum": ["relationships", "housing"],
    "In a flat with my brother": ["relationships", "housing"],
    "Staying with my old foster carer's family": ["relationships", "housing"],
    # Q4 best things
    "Having my own space": ["housing", "independence"],
    "Freedom to do what I want": ["independence"],
    "My PA is always there when I need her": ["support"],
    "Learning to cook for myself": ["independence"],
    "Getting my own flat": ["housing"],
    "Choosing what time I go to bed": ["independence"],
    "Being independent": ["independence"],
    "The bursary for college": ["education_work", "money"],
    "Setting up home grant for my furniture": ["money", "practical"],
    "No more LAC reviews": ["independence", "listened_to"],
    "Seeing my friends when I want": ["relationships", "independence"],
    "Decorating my flat how I like": ["housing", "independence"],
    "Having a dog": ["leisure"],
    "Being treated like an adult": ["independence", "listened_to"],
    "Council tax exemption": ["money_bills"],
    "Going to the care leavers drop-in": ["identity", "leisure"],
    "Managing my own money": ["money", "independence"],
    "Getting a job at the cafe": ["education_work"],
    "Being closer to my sister": ["relationships"],
    "Nobody checking up on me all the time": ["independence"],
    "Help with my driving lessons": ["practical"],
    "Being listened to at my pathway plan meeting": ["listened_to", "support"],
    # Q5 worst things
    "Paying bills": ["money_bills"],
    "Feeling lonely in the evenings": ["loneliness"],
    "Not enough money at the end of the month": ["money"],
    "Waiting ages for a flat": ["housing_waiting"],
    "My PA keeps changing": ["support_changes"],
    "Council tax letters": ["money_bills"],
    "Not knowing who to ring": ["support"],
    "Cooking every day": ["independence"],
    "Missing my foster family": ["relationships"],
    "Gas and electric on a meter": ["money_bills"],
    "Universal Credit forms": ["money_benefits", "practical"],
    "Moving too far from my college": ["housing", "education_work"],
    "Having to grow up fast": ["independence"],
    "Not being listened to": ["listened_to"],
    "Food shopping on a budget": ["money", "independence"],
    "Getting the bus everywhere": ["practical"],
    "Sorting out repairs with the landlord": ["housing"],
    "Nobody to ask for advice at weekends": ["support", "loneliness"],
    "Losing touch with friends from my old area": ["relationships", "loneliness"],
    "Wifi costs a lot": ["money_bills", "practical"],
    # Q6 better prepared
    "Learn to budget before I moved out": ["money", "independence"],
    "Cooking lessons when I was in foster care": ["independence"],
    "Help understanding bills": ["money_bills", "independence"],
    "A training flat to practise living alone": ["independence", "housing"],
    "How to register with a GP and dentist": ["health", "practical"],
    "Help to open a bank account": ["practical", "money"],
    "More time with my PA before I moved": ["support"],
    "How to talk to a landlord": ["housing", "independence"],
    "Being told about my rights earlier": ["listened_to"],
    "How to use a washing machine properly": ["independence"],
    "Knowing what the council pays for": ["listened_to", "money"],
    "Meeting other care leavers first": ["identity", "relationships"],
    "Practice filling in forms": ["practical", "independence"],
    "Learning how to save": ["money", "independence"],
    "Going to see the flat before moving in": ["housing"],
    "Knowing how to get to college on my own": ["independence", "education_work"],
    # Q7 advice
    "Ask for help, your PA is there for a reason.": ["support"],
    "Save a bit of money every week even if it's only a fiver.": ["money"],
    "Don't be afraid to say what you need.": ["listened_to"],
    "Learn to cook a few cheap meals before you move out.": ["independence"],
    "Keep in touch with people who care about you.": ["relationships"],
    "Go to college, it's worth it in the end.": ["education_work"],
    "Read your pathway plan and make sure it says what you want.": ["listened_to", "support"],
    "Go to the drop-in, you meet people who get it.": ["identity", "relationships"],
    "Pay your bills first, then spend what's left.": ["money_bills"],
    "Take it one day at a time.": ["health"],
    "Keep all your letters in one folder.": ["independence", "practical"],
    "Don't lend money to people you've just met.": ["money"],
    "Join the forum, they actually listen.": ["listened_to"],
    "It gets easier after the first few months.": ["positive"],
    # Q12 anything else
    "More drop-ins in the evening please": ["identity", "loneliness"],
    "It would help if PAs answered texts quicker": ["support"],
    "The council tax exemption has really helped me": ["money_bills", "positive"],
    "Please keep the forum going": ["listened_to"],
    "Thanks for asking us what we think": ["positive", "listened_to"],
    "More help with driving lessons": ["practical"],
    "Wifi in supported housing would make a big difference": ["practical", "housing"],
    "Listen to us when we say we are not ready to move": ["listened_to", "housing"],
    "Starter packs for new flats should have pans and a kettle": ["practical"],
    "A phone number that works at weekends": ["support"],
    "Free bus pass until 25": ["practical"],
    "More trips and activities so we can meet each other": ["leisure", "loneliness"],
    "Help with the cost of a passport and ID": ["practical", "money"],
    "Let us meet our new PA before the old one leaves": ["support_changes"],
}
SENTIMENT_BY_QUESTION = {"Q4": "positive", "Q5": "negative", "Q6": "negative", "Q7": "positive"}
QUOTES = [
    ("My PA is always there when I need her", "public"),
    ("Feeling lonely in the evenings", "board"),
    ("Listen to us when we say we are not ready to move", "public"),
    ("Nobody to ask for advice at weekends", "board"),
    ("Learn to budget before I moved out", "public"),
    ("Having to grow up fast", "board"),
    ("Let us meet our new PA before the old one leaves", "public"),
    ("Join the forum, they actually listen.", "public"),
]


def seed_themes_demo() -> None:
    worker = _staff("worker@northbridge.example")
    peer = _staff("peer@northbridge.example")
    last = round_by_slug(LAST_YEAR_SLUG)
    current = round_by_slug(CURRENT_SLUG)
    if last is not None and services.codebook_for(last) is None:
        codebook = services.create_codebook(last)
        _code(last, codebook, share=1.0, coders=[worker, peer], rng=random.Random(2025))
    if current is not None and services.codebook_for(current) is None:
        codebook = services.create_codebook(current)
        codebook.double_code_percent = 20
        _code(current, codebook, share=0.6, coders=[worker, peer], rng=random.Random(2026))
        _second_coding(current, codebook, worker, peer, random.Random(7))
        _quotes(current, worker)
    db.session.commit()


def _staff(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def _code(survey_round, codebook, *, share: float, coders, rng: random.Random) -> None:
    by_key: dict[str, Theme] = {t.key: t for t in codebook.themes}
    coders = [c for c in coders if c is not None] or [None]
    for index, unit in enumerate(services.units(survey_round)):
        keys = DEMO_THEMES.get(unit.text)
        if not keys or rng.random() >= share:
            continue
        coder = coders[index % len(coders)]
        db.session.add(
            Coding(
                round_id=survey_round.id,
                answer_id=unit.answer_id,
                part=unit.part,
                pass_no=1,
                coder_id=coder.id if coder else None,
                sentiment=SENTIMENT_BY_QUESTION.get(unit.question.code),
                notable=any(unit.text == text for text, _ in QUOTES),
                themes=[by_key[k] for k in keys if k in by_key],
            )
        )
    db.session.flush()


def _second_coding(survey_round, codebook, worker, peer, rng: random.Random) -> None:
    """The sample's second coding: mostly the same themes, now and then one differs."""
    first = services.codings(survey_round, 1)
    themes = [t for t in codebook.themes if t.parent_id is None]
    for (answer_id, part), coding in first.items():
        if not services.in_sample(codebook, answer_id, part):
            continue
        second_coder = peer if coding.coder_id == (worker.id if worker else None) else worker
        chosen = list(coding.themes)
        if rng.random() < 0.2:
            chosen = [rng.choice(themes)]
        elif rng.random() < 0.15 and len(chosen) > 1:
            chosen = chosen[:1]
        db.session.add(
            Coding(
                round_id=survey_round.id,
                answer_id=answer_id,
                part=part,
                pass_no=2,
                coder_id=second_coder.id if second_coder else None,
                sentiment=coding.sentiment,
                themes=chosen,
            )
        )
    db.session.flush()


def _quotes(survey_round, worker) -> None:
    done = services.codings(survey_round, 1)
    units = {u.ref: u for u in services.units(survey_round)}
    approved: set[str] = set()
    for ref, coding in done.items():
        unit = units.get(ref)
        if unit is None or not coding.notable or unit.text in approved:
            continue
        audience = dict(QUOTES)[unit.text]
        db.session.add(
            Quote(
                round_id=survey_round.id,
                answer_id=unit.answer_id,
                part=unit.part,
                theme=coding.themes[0] if coding.themes else None,
                text=services.propose_redaction(unit.text).redacted,
                audience=audience,
                approved_by_id=worker.id if worker else None,
            )
        )
        approved.add(unit.text)
    db.session.flush()
