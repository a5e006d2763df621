"""Demo paper and assisted responses for the Northbridge round: double entry is on, most forms
are verified (keyed by two people), and one form's keyings differ, waiting to be settled.

Idempotent: nothing is added if the round already has keyed forms. The texts come from the
survey demo's lists, which the tests screen so none is a safeguarding disclosure.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.services import find_by_email
from surveys.models import Channel, SurveyRound
from surveys.paper.models import PaperForm
from surveys.paper.services import allocate_serials, key_form, update_settings
from surveys.rounds.demo import ADVICE, BEST, CURRENT_SLUG, WORST

FIRST_KEYER, SECOND_KEYER = "entry@northbridge.example", "worker@northbridge.example"
# (channel, assisted, Q1 age, Q2 number, Q3 number, Q11 number)
FORMS = [
    (Channel.PAPER, False, "19", "5", "2", "1"),
    (Channel.PAPER, False, "17", "1", "1", "3"),
    (Channel.PAPER, True, "21", "4", "2", "2"),
    (Channel.PHONE, True, "20", "5", "1", "1"),
    (Channel.FACE_TO_FACE, True, "18", "3", "2", "3"),
    (Channel.GROUP, True, "22", "5", "1", "1"),
]


def _form(n: int, age: str, stage: str, sex: str, forum: str) -> dict[str, str]:
    return {
        "Q1": age,
        "Q2": stage,
        "Q3": sex,
        "Q4_1": BEST[n % len(BEST)],
        "Q4_2": BEST[(n + 5) % len(BEST)],
        "Q5_1": WORST[n % len(WORST)],
        "Q7": ADVICE[n % len(ADVICE)],
        "Q11": forum,
    }


def seed_paper_demo() -> None:
    survey_round = db.session.scalar(sa.select(SurveyRound).where(SurveyRound.slug == CURRENT_SLUG))
    first, second = find_by_email(FIRST_KEYER), find_by_email(SECOND_KEYER)
    if survey_round is None or first is None or second is None:
        return
    if db.session.scalar(sa.select(PaperForm.id).where(PaperForm.round_id == survey_round.id)):
        return
    update_settings(survey_round, entry_deadline=None, double_entry=True)
    allocate_serials(survey_round, len(FORMS) + 1)  # the forms below were printed first
    for n, (channel, assisted, *answers) in enumerate(FORMS, start=1):
        form = _form(n, *answers)
        key_form(survey_round, str(n), channel, assisted, form, user_id=first.id)
        key_form(survey_round, str(n), channel, assisted, form, user_id=second.id)
    # Form 7: the second keyer misread a tick and a word, so someone must settle it.
    form = _form(7, "19", "4", "2", "1")
    key_form(survey_round, "7", Channel.PAPER, False, form, user_id=first.id)
    misread = {**form, "Q3": "1", "Q7": form["Q7"].replace(".", "")}
    key_form(survey_round, "7", Channel.PAPER, False, misread, user_id=second.id)
