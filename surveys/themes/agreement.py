"""Agreement between two coders: Cohen's kappa, per theme and overall.

Each theme is a yes/no decision for every piece of text both coders coded. Per theme, kappa
compares the two coders' yes/no lists. Overall, kappa pools every (piece of text, theme)
decision into one pair of yes/no lists, so common and rare themes both count.

Kappa is (observed agreement - chance agreement) / (1 - chance agreement). When chance agreement
is already total (both coders said the same single thing every time), kappa is undefined: we
return 1.0 if the coders agreed every time and None otherwise. scikit-learn returns NaN there;
the test compares with it everywhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two coders' labels of the same items (None when nothing to compare)."""
    if len(first) != len(second):
        raise ValueError("Both coders must label the same items")
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return (observed - expected) / (1 - expected)


def theme_kappas(
    first: Sequence[set], second: Sequence[set], themes: Iterable[Hashable]
) -> tuple[float | None, dict[Hashable, float | None]]:
    """Overall (pooled) kappa and kappa per theme, from each coder's set of themes per item."""
    themes = list(themes)
    per_theme = {}
    pooled_a: list[bool] = []
    pooled_b: list[bool] = []
    for theme in themes:
        a = [theme in chosen for chosen in first]
        b = [theme in chosen for chosen in second]
        per_theme[theme] = cohen_kappa(a, b) if any(a) or any(b) else None
        pooled_a += a
        pooled_b += b
    return cohen_kappa(pooled_a, pooled_b), per_theme
