"""Cohen's kappa: ours equals scikit-learn's on a fixture, per theme and overall."""

from __future__ import annotations

import math
import random

import pytest

from surveys.themes.agreement import cohen_kappa, theme_kappas

sklearn_metrics = pytest.importorskip("sklearn.metrics")

THEMES = ["money", "housing", "support", "loneliness", "positive"]


def _fixture(seed: int = 8, n: int = 60):
    """Two coders' theme sets for the same answers: mostly agreeing, sometimes not."""
    rng = random.Random(seed)
    first, second = [], []
    for _ in range(n):
        a = set(rng.sample(THEMES, rng.randint(1, 2)))
        b = set(a)
        if rng.random() < 0.3:
            b ^= {rng.choice(THEMES)}
        first.append(a)
        second.append(b or {rng.choice(THEMES)})
    return first, second


def test_kappa_equals_scikit_learn_on_labels():
    rng = random.Random(1)
    a = [rng.choice("xyz") for _ in range(200)]
    b = [x if rng.random() < 0.7 else rng.choice("xyz") for x in a]
    assert cohen_kappa(a, b) == pytest.approx(sklearn_metrics.cohen_kappa_score(a, b), abs=1e-12)


def test_kappa_per_theme_and_overall_equal_scikit_learn():
    first, second = _fixture()
    overall, per_theme = theme_kappas(first, second, THEMES)
    pooled_a, pooled_b = [], []
    for theme in THEMES:
        a = [theme in s for s in first]
        b = [theme in s for s in second]
        pooled_a += a
        pooled_b += b
        expected = sklearn_metrics.cohen_kappa_score(a, b)
        assert per_theme[theme] == pytest.approx(expected, abs=1e-12), theme
    assert overall == pytest.approx(
        sklearn_metrics.cohen_kappa_score(pooled_a, pooled_b), abs=1e-12
    )


def test_kappa_edge_cases():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([True] * 5, [True] * 5) == 1.0  # scikit-learn gives NaN here
    assert math.isclose(cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]), -1.0)
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 0])
