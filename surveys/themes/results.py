"""Theme results: how many people raised each theme, by question, channel and age band.

Counts are of people (responses), not of pieces of text: someone who wrote about money in two
of their "3 things" counts once. Sub-themes are counted under their top-level theme. Every
published count goes through app.core.disclosure.suppress (cells of 1 to 4 show "fewer than 5"), and
shares of a suppressed count are suppressed too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from app.core.disclosure import fewer_than, is_small, suppress
from surveys.age_bands import AGE_BANDS as AGE_BANDS  # the one rule, used here and by the board
from surveys.age_bands import UNKNOWN, age_band
from surveys.models import CHANNEL_LABELS, Channel, SurveyRound
from surveys.themes import services
from surveys.themes.models import Codebook, Quote, Theme


@dataclass
class ThemeRow:
    key: str
    name: str
    count: int
    shown: int | str
    share: float | None  # None when suppressed
    previous_share: float | None = None

    @property
    def share_text(self) -> str:
        return fewer_than() if self.share is None else f"{self.share:.0f}%"

    @property
    def previous_text(self) -> str:
        return "" if self.previous_share is None else f"{self.previous_share:.0f}%"


@dataclass
class Breakdown:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[int | str]]]


@dataclass
class Results:
    survey_round: SurveyRound
    question_code: str
    base: int
    rows: list[ThemeRow]
    breakdowns: list[Breakdown] = field(default_factory=list)
    previous_round: SurveyRound | None = None
    quotes: dict[str, list[Quote]] = field(default_factory=dict)

    @property
    def takeaway(self) -> str:
        shown = [r for r in self.rows if r.share is not None and r.count]
        if not shown:
            return "Not enough answers are coded yet to say what people raised most."
        top = shown[0]
        return (
            f"{top.name} came up most: {top.share:.0f}% of the {self.base} people whose answers "
            "are coded mentioned it."
        )


def _frame(survey_round: SurveyRound, codebook: Codebook, question_code: str) -> pd.DataFrame:
    top_key = {}
    by_id = {t.id: t for t in codebook.themes}
    for theme in codebook.themes:
        root = by_id.get(theme.parent_id) if theme.parent_id else None
        top_key[theme.id] = (root or theme).key
    items = {u.ref: u for u in services.units(survey_round, question_code=question_code)}
    records = []
    for ref, coding in services.codings(survey_round, 1).items():
        unit = items.get(ref)
        if unit is None:
            continue
        for theme in coding.themes:
            records.append(
                {
                    "response": unit.response_id,
                    "theme": top_key.get(theme.id, theme.key),
                    "channel": unit.channel,
                    "age_band": age_band(unit.age),
                }
            )
        if not coding.themes:
            records.append(
                {
                    "response": unit.response_id,
                    "theme": None,
                    "channel": unit.channel,
                    "age_band": age_band(unit.age),
                }
            )
    return pd.DataFrame(records, columns=["response", "theme", "channel", "age_band"])


def theme_results(
    survey_round: SurveyRound, codebook: Codebook, question_code: str = ""
) -> Results:
    frame = _frame(survey_round, codebook, question_code)
    base = int(frame["response"].nunique()) if len(frame) else 0
    top_themes = [t for t in services.themes_in_order(codebook) if t.parent_id is None]
    counts = (
        frame.dropna(subset=["theme"]).groupby("theme")["response"].nunique().to_dict()
        if len(frame)
        else {}
    )
    previous = _previous_shares(survey_round, question_code)
    rows = []
    for theme in top_themes:
        count = int(counts.get(theme.key, 0))
        share = None if is_small(count) or not base else 100 * count / base
        rows.append(
            ThemeRow(
                theme.key, theme.name, count, suppress(count), share, previous[1].get(theme.key)
            )
        )
    rows.sort(key=lambda r: (-r.count, r.name))
    results = Results(survey_round, question_code, base, rows, previous_round=previous[0])
    results.breakdowns = [
        _breakdown(
            frame,
            top_themes,
            "channel",
            "By channel",
            {c.value: label for c, label in CHANNEL_LABELS.items()},
        ),
        _breakdown(frame, top_themes, "age_band", "By age", {}),
    ]
    results.quotes = _quotes(survey_round, codebook)
    return results


def _breakdown(frame, themes: list[Theme], column: str, title: str, labels: dict) -> Breakdown:
    if not len(frame):
        return Breakdown(title, [], [])
    values = sorted(frame[column].dropna().unique(), key=lambda v: (v == UNKNOWN, str(v)))
    counts = frame.dropna(subset=["theme"]).groupby(["theme", column])["response"].nunique()
    bases = frame.groupby(column)["response"].nunique()
    columns = [f"{labels.get(v, v)} ({suppress(int(bases.get(v, 0)))} people)" for v in values]
    rows = []
    for theme in themes:
        cells = [suppress(int(counts.get((theme.key, v), 0))) for v in values]
        rows.append((theme.name, cells))
    return Breakdown(title, columns, rows)


def _previous_shares(survey_round: SurveyRound, question_code: str):
    codebook = services.previous_codebook(survey_round)
    if codebook is None or codebook.round_id == survey_round.id:
        return None, {}
    frame = _frame(codebook.round, codebook, question_code)
    base = int(frame["response"].nunique()) if len(frame) else 0
    if not base:
        return codebook.round, {}
    counts = frame.dropna(subset=["theme"]).groupby("theme")["response"].nunique()
    return codebook.round, {
        key: 100 * int(n) / base for key, n in counts.items() if not is_small(int(n))
    }


def _quotes(survey_round: SurveyRound, codebook: Codebook, per_theme: int = 3):
    by_theme: dict[str, list[Quote]] = {}
    parents = {t.id: t for t in codebook.themes}
    for quote in services.approved_quotes(survey_round):
        theme = quote.theme
        if theme is None:
            continue
        top = parents.get(theme.parent_id) if theme.parent_id else theme
        bucket = by_theme.setdefault((top or theme).key, [])
        if len(bucket) < per_theme:
            bucket.append(quote)
    return by_theme


def question_choices(survey_round: SurveyRound) -> list[tuple[str, str]]:
    questions = survey_round.questionnaire.questions
    return [("", "All questions")] + [
        (q.code, f"{q.code}: {q.web_text}") for q in questions if q.is_free_text
    ]


def channel_label(value: str) -> str:
    try:
        return CHANNEL_LABELS[Channel(value)]
    except ValueError:
        return value
