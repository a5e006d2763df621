"""The safeguarding evaluation set (data/tuning.csv, data/heldout.csv) and how it is scored.

Columns: answer, expected (disclosure, benign or past), category. "disclosure" answers must be
flagged (recall), "benign" ones should not be (false alarms); "past" disclosures are reported
apart: they are flagged as "possible" by design. The tuning half was used to write the rules,
examples and thresholds; the held-out half is for measuring.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from surveys.safeguarding.screening import screen

DATA = Path(__file__).with_name("data")

# The phrasings issue 15 reported as missed: each must be caught.
MISSED_BEFORE = (
    "i feel like ending it",
    "honestly some days i feel like ending it",
    "i want to dye",
    "sometimes i think to finish my life",
    "i want finish everything",
    "im gona end it",
    "i dont see the point anymore",
    "my ex keeps turning up and hitting me",
    "a man from the shop gives me things and wants me to go to parties",
    "the hostel had drugs everywhere",
)


def rows(half: str) -> list[dict[str, str]]:
    with open(DATA / f"{half}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def disclosures(half: str) -> list[str]:
    return [r["answer"] for r in rows(half) if r["expected"] == "disclosure"]


@dataclass
class Score:
    recall: float
    false_alarms: float
    missed: list[str]
    alarms: list[str]


def score(half: str, layers: Iterable[str] | None = None) -> Score:
    layer_list = list(layers) if layers is not None else None
    missed, alarms, n_disc, n_benign = [], [], 0, 0
    for row in rows(half):
        flagged = screen(row["answer"], layers=layer_list).flagged
        if row["expected"] == "disclosure":
            n_disc += 1
            if not flagged:
                missed.append(row["answer"])
        elif row["expected"] == "benign":
            n_benign += 1
            if flagged:
                alarms.append(row["answer"])
    return Score(1 - len(missed) / n_disc, len(alarms) / n_benign, missed, alarms)
