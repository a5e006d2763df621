"""Benchmark: safeguarding screening on the held-out half of the evaluation set.

Prints recall of disclosures and the false-alarm rate on benign answers, for the default layers
(rules, spelling, fuzzy; semantic too when the [ml] extra is installed) and with each layer
switched off (its contribution), and the p95 time per answer. The baseline, measured in the
same run, is the rules layer alone. Run with ``make bench``.
"""

from __future__ import annotations

import time

import pytest

from surveys.safeguarding import layers as screening_layers
from surveys.safeguarding.screening import LAYERS, screen
from tests.surveys.safeguarding.evaluation import rows, score

pytestmark = pytest.mark.bench


def _p95_ms(answers: list[str], layers: list[str]) -> float:
    screen("warm up", layers=layers)
    times = []
    for _ in range(3):
        for text in answers:
            started = time.perf_counter()
            screen(text, layers=layers)
            times.append(time.perf_counter() - started)
    times.sort()
    return 1000 * times[int(len(times) * 0.95)]


def test_safeguarding_screening_bench() -> None:
    default = [lay for lay in LAYERS if lay != "semantic" or screening_layers.semantic_available()]
    answers = [r["answer"] for r in rows("heldout")]
    print(f"\nSafeguarding screening, held-out half ({len(answers)} answers)")
    for name, layers in [("rules only (baseline)", ["rules"]), ("default", default)] + [
        (f"without {off}", [lay for lay in default if lay != off]) for off in default
    ]:
        result = score("heldout", layers)
        print(
            f"  {name:24} recall {result.recall:6.1%}  false alarms {result.false_alarms:6.1%}"
            f"  p95 {_p95_ms(answers, layers):6.2f} ms/answer"
        )
    final = score("heldout", default)
    assert final.recall == 1.0, final.missed
    assert final.false_alarms < 0.25, final.alarms
