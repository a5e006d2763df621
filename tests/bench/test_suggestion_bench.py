"""Benchmark: suggested themes for 5,000 answers, in milliseconds per answer.

The baseline, measured in the same run, is keyword rules alone; the figure that matters is
keyword rules plus learning from 1,000 coded answers, as in a round well under way. The
answers are the demo and test answers, recombined so that no two are the same.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

import pytest

from surveys.rounds.demo import demo_texts
from surveys.themes.demo import DEMO_THEMES
from surveys.themes.services import starter_rules
from surveys.themes.suggestions import Suggester

pytestmark = pytest.mark.bench
DATA = Path(__file__).parent.parent / "surveys" / "themes" / "data"
ANSWERS = 5_000


def _answers(rng: random.Random, n: int) -> list[str]:
    pool = list(demo_texts())
    for name in ("tuning_answers.csv", "held_out_answers.csv"):
        with open(DATA / name, encoding="utf-8") as handle:
            pool += [row["answer"] for row in csv.DictReader(handle)]
    return [f"{rng.choice(pool)} and {rng.choice(pool).lower()} ({i})" for i in range(n)]


def _time(suggester: Suggester, answers: list[str]) -> float:
    started = time.perf_counter()
    for text in answers:
        suggester.suggest(text, limit=5)
    return 1000 * (time.perf_counter() - started) / len(answers)


def test_suggestion_time_per_answer():
    rng = random.Random(5)
    answers = _answers(rng, ANSWERS)
    coded = [(t, keys) for t, keys in DEMO_THEMES.items()]
    learning = [rng.choice(coded) for _ in range(1_000)]
    rules = starter_rules()
    baseline = _time(Suggester(rules), answers)
    started = time.perf_counter()
    suggester = Suggester(rules, learning)
    build_ms = 1000 * (time.perf_counter() - started)
    full = _time(suggester, answers)
    print(
        f"\nsuggestions for {ANSWERS:,} answers: keyword rules alone {baseline:.3f} ms/answer; "
        f"keywords + learning from 1,000 coded answers {full:.3f} ms/answer "
        f"(learning built in {build_ms:.0f} ms)"
    )
    assert full < 20, "suggestions must keep the coding queue quick"
