"""A typical keyed paper form, as the keying screen posts it."""

from __future__ import annotations

FORM = {
    "Q1": "14 2 2006",
    "Q2": "4",
    "Q3": "2",
    "Q4_1": "Having my own space",
    "Q4_2": "My PA",
    "Q5_1": "Paying bills",
    "Q7": "Ask for help.",
    "Q11": "1",
}


def form(**changes: str) -> dict[str, str]:
    return {**FORM, **changes}
