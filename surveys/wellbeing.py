"""The optional personal well-being module (ONS4): its questions and the ONS's bands.

A round may add the Office for National Statistics' four personal well-being questions after its
questionnaire (``SurveyRound.wellbeing_module``). They ship as a module questionnaire of their
own (surveys/questionnaires/modules/ons4-personal-wellbeing.toml, loaded once, locked, never
offered as a round's questionnaire or for editing), so the New Belongings questionnaire stays as
its guide prints it and its Q-numbers, and the module's answers have their own codes, ONS1 to
ONS4. They are ``scale`` questions: every channel (web radios, a text reply 0-10, paper boxes
and keying) stores ``{"score": n}``, a whole number from 0 to 10, through the one engine.

The bands are the ONS's published thresholds for reporting personal well-being (the one copy
of that rule, ``band``): life satisfaction, worthwhile and happiness are low 0-4, medium 5-6,
high 7-8, very high 9-10; anxiety, where a higher score is worse, very low 0-1, low 2-3,
medium 4-5, high 6-10.
"""

from __future__ import annotations

from dataclasses import dataclass

MODULE_KEY = "ons4-personal-wellbeing"
MODULE_FILE = f"modules/{MODULE_KEY}"  # under surveys/questionnaires/


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int
    high: int

    @property
    def name(self) -> str:
        """ "Low (0 to 4)": the band with its scores, as results tables show it."""
        return f"{self.label} ({self.low} to {self.high})"


POSITIVE_BANDS = (
    Band("low", "Low", 0, 4),
    Band("medium", "Medium", 5, 6),
    Band("high", "High", 7, 8),
    Band("very_high", "Very high", 9, 10),
)
ANXIETY_BANDS = (
    Band("very_low", "Very low", 0, 1),
    Band("low", "Low", 2, 3),
    Band("medium", "Medium", 4, 5),
    Band("high", "High", 6, 10),
)


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    bands: tuple[Band, ...]
    # The band the ONS headlines as poor well-being: low ratings, or high anxiety.
    poor: str
    higher_is_better: bool = True


MEASURES = (
    Measure("ONS1", "Life satisfaction", POSITIVE_BANDS, "low"),
    Measure("ONS2", "Worthwhile", POSITIVE_BANDS, "low"),
    Measure("ONS3", "Happiness", POSITIVE_BANDS, "low"),
    Measure("ONS4", "Anxiety", ANXIETY_BANDS, "high", higher_is_better=False),
)
BY_CODE = {m.code: m for m in MEASURES}
CODES = tuple(BY_CODE)


def band(code: str, score: int) -> Band:
    """The ONS threshold band a score from 0 to 10 falls in, for the measure ``code``."""
    for candidate in BY_CODE[code].bands:
        if candidate.low <= score <= candidate.high:
            return candidate
    raise ValueError(f"A well-being score is a whole number from 0 to 10, not {score!r}")


# --- Reference figures: what staff may compare with --------------------------------------------

MEAN = "mean"


def reference_measures() -> list[tuple[str, str]]:
    """Reference figures a council can enter for the module: each measure's average score (0 to
    10) and the percentage in each band, keyed like other reference figures ("ONS1:mean",
    "ONS1:low")."""
    choices = []
    for measure in MEASURES:
        choices.append((f"{measure.code}:{MEAN}", f"{measure.name}: average score (0 to 10)"))
        for item in measure.bands:
            choices.append((f"{measure.code}:{item.key}", f"{measure.name}: {item.name}, %"))
    return choices


def is_average(reference_key: str) -> bool:
    """Whether a reference figure is an average score (0 to 10) rather than a percentage."""
    code, _, part = reference_key.partition(":")
    return code in BY_CODE and part == MEAN
