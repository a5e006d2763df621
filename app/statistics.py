"""Disclosure control for published figures: one rule, used by every report and chart.

``suppress`` hides any count from 1 to 4 as "fewer than 5" (UK official statistics practice),
so nobody in a small group can be singled out. Zero is shown: it reveals nobody.

``suppress_secondary`` adds the second step: if exactly one cell in a row is hidden and the row's
total is published, the hidden value could be worked out by subtraction. So the next smallest
cell is hidden too (shown as "hidden", so readers can tell it is not itself small).

Counts are of people (respondents), never of answers, so one person cannot be counted twice.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

THRESHOLD = 5
HIDDEN = "hidden"


def fewer_than(threshold: int = THRESHOLD) -> str:
    return f"fewer than {threshold}"


def is_small(count: int | None, threshold: int = THRESHOLD) -> bool:
    return count is not None and 0 < count < threshold


def suppress(counts, threshold: int = THRESHOLD):
    """Counts as they may be shown: each 1 to threshold-1 becomes "fewer than 5".

    Takes a mapping (returns a dict with the same keys), a sequence (returns a list) or one
    number (returns one value).
    """
    if isinstance(counts, Mapping):
        return {key: suppress(value, threshold) for key, value in counts.items()}
    if isinstance(counts, Sequence) and not isinstance(counts, str):
        return [suppress(value, threshold) for value in counts]
    return fewer_than(threshold) if is_small(counts, threshold) else counts


def suppress_secondary(
    counts: Mapping[Hashable, int], threshold: int = THRESHOLD
) -> dict[Hashable, int | str]:
    """Primary suppression, then hide the next smallest cell when only one cell is hidden.

    Use it for a row whose total is shown beside it (a table of shares of a known total).
    """
    shown: dict[Hashable, int | str] = dict(suppress(dict(counts), threshold))
    hidden = [key for key, value in shown.items() if isinstance(value, str)]
    if len(hidden) == 1:
        others = [(v, str(k), k) for k, v in counts.items() if k not in hidden and v > 0]
        if others:
            shown[min(others)[2]] = HIDDEN
    return shown


def is_suppressed(value: object) -> bool:
    return isinstance(value, str)
