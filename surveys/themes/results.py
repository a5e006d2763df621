"""Theme results: how many people raised each theme, by question, channel and age band.

Counts are of people (responses), not of pieces of text: someone who wrote about money in two
of their "3 things" counts once. Sub-themes are counted under their top-level theme.

Disclosure control (app.core.disclosure, the one rule): every view the question menu offers
("All questions" and each free-text question) is one ``Publication`` with its sums: a theme's
people by channel and by age band add up to its count, each column's people add up to everyone
coded, nobody raises a theme twice, and a question's count is within the "All questions" count.
Cells of 1 to 4 read "fewer than 5"; cells hidden so that those cannot be worked out read
"hidden to protect privacy". Rows are ranked only while no hidden theme could be larger; the
comparison with last round waits until 90% of both rounds' answers are coded (``CODED_ENOUGH``),
and until then the page says the results are provisional and how much is coded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from app.core.disclosure import (
    KEY,
    TOTAL,
    Protected,
    Publication,
    certainly_largest,
    is_suppressed,
    share,
    threshold,
)
from app.core.frames import pandas
from surveys.age_bands import AGE_BANDS as AGE_BANDS  # the one rule, used here and by the board
from surveys.age_bands import UNKNOWN, age_band
from surveys.models import CHANNEL_LABELS, Channel, SurveyRound
from surveys.themes import services
from surveys.themes.models import Codebook, Quote, Theme

CODED_ENOUGH = 90  # % of a question's answers coded before its themes are compared
COLUMNS = ("channel", "age_band")
MERGED = {"channel": "Other ways", "age_band": "Other ages or not known"}


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
        if self.share is not None:
            return f"{self.share:.0f}%"
        return str(self.shown) if is_suppressed(self.shown) else "not shown"

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
    base: int | str  # people whose answers are coded, as published
    rows: list[ThemeRow]
    breakdowns: list[Breakdown] = field(default_factory=list)
    previous_round: SurveyRound | None = None
    quotes: dict[str, list[Quote]] = field(default_factory=dict)
    coded_share: int = 100  # % of this view's answers coded so far
    ranked: bool = True  # False: a hidden theme could be larger, so rows keep codebook order
    privacy_key: str = KEY

    @property
    def provisional(self) -> bool:
        return self.coded_share < CODED_ENOUGH

    @property
    def has_hidden(self) -> bool:
        cells = [c for b in self.breakdowns for _, row in b.rows for c in row]
        return any(is_suppressed(v) for v in [*cells, *(r.shown for r in self.rows), self.base])

    @property
    def takeaway(self) -> str:
        shown = [r for r in self.rows if r.share is not None and r.count]
        if not shown:
            return "Not enough answers are coded yet to say what people raised most."
        if not self.ranked:
            return "Some themes are hidden to protect privacy, so we cannot say which came up most."
        top = shown[0]
        text = (
            f"{top.name} came up most: {top.share:.0f}% of the {self.base} people whose answers "
            "are coded mentioned it."
        )
        if self.provisional:
            text += f" Provisional: {self.coded_share}% of answers are coded so far."
        return text


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
    return pandas().DataFrame(records, columns=["response", "theme", "channel", "age_band"])


def theme_results(
    survey_round: SurveyRound, codebook: Codebook, question_code: str = "", *, compare=True
) -> Results:
    """The themes for one view of the menu, protected together with every other view; with
    last round's shares when ``compare`` and both rounds are coded enough."""
    top_themes = [t for t in services.themes_in_order(codebook) if t.parent_id is None]
    codes = [c for c, _ in question_choices(survey_round)]
    question_code = question_code if question_code in codes else ""
    frames = {code: _merge_small(_frame(survey_round, codebook, code)) for code in codes}
    protected = _protect(frames, top_themes)
    frame = frames[question_code]
    base = protected[(question_code, "base", TOTAL)]
    counts = _theme_counts(frame)
    shown = {t.key: protected[(question_code, "theme", t.key)] for t in top_themes}
    done = _coded_share(survey_round, question_code)
    previous_round, previous = (
        _previous_shares(survey_round, question_code) if compare else (None, {})
    )
    compared = done >= CODED_ENOUGH and previous_round is not None
    rows = [
        ThemeRow(
            t.key,
            t.name,
            int(counts.get(t.key, 0)),
            shown[t.key],
            share(shown[t.key], base),
            previous.get(t.key) if compared else None,
        )
        for t in top_themes
    ]
    visible = [r for r in rows if not is_suppressed(r.shown)]
    hidden = [r.shown for r in rows if is_suppressed(r.shown)]
    # Ranked only while every shown theme above a hidden one is surely larger than it.
    ranked = all(
        certainly_largest(int(r.shown), hidden, base, adds_up=False) for r in visible if r.count
    )
    if ranked:
        rows = sorted(visible, key=lambda r: (-int(r.shown), r.name)) + [
            r for r in rows if is_suppressed(r.shown)
        ]
    results = Results(
        survey_round,
        question_code,
        base,
        rows,
        previous_round=previous_round if compared else None,
        coded_share=done,
        ranked=ranked,
    )
    labels = {c.value: label for c, label in CHANNEL_LABELS.items()}
    results.breakdowns = [
        _breakdown(frame, protected, question_code, top_themes, "channel", "By channel", labels),
        _breakdown(frame, protected, question_code, top_themes, "age_band", "By age", {}),
    ]
    results.quotes = _quotes(survey_round, codebook)
    return results


def _merge_small(frame: pd.DataFrame) -> pd.DataFrame:
    """Channels or age bands with fewer than 5 people are merged into one column ("Other ways",
    "Other ages or not known"), so no breakdown offers a group under the threshold on its own."""
    if not len(frame):
        return frame
    frame = frame.copy()
    for column in COLUMNS:
        sizes = frame.groupby(column)["response"].nunique()
        small = {v for v, n in sizes.items() if 0 < n < threshold()}
        if column == "age_band" and small:
            small.add(UNKNOWN)
        if small:
            frame.loc[frame[column].isin(small), column] = MERGED[column]
    return frame


def _theme_counts(frame: pd.DataFrame) -> dict[str, int]:
    if not len(frame):
        return {}
    counts = frame.dropna(subset=["theme"]).groupby("theme")["response"].nunique()
    return {str(k): int(v) for k, v in counts.items()}


def _values(frame: pd.DataFrame, column: str) -> list[str]:
    last = (UNKNOWN, *MERGED.values())
    return sorted(frame[column].dropna().unique(), key=lambda v: (v in last, str(v)))


def _protect(frames: dict[str, pd.DataFrame], themes: list[Theme]) -> Protected:
    """Every view of the menu as one publication (see the module docstring)."""
    publication = Publication()
    for code, frame in frames.items():
        base = publication.add((code, "base", TOTAL), frame["response"].nunique(), cost=50.0)
        counts = _theme_counts(frame)
        for theme in themes:
            publication.add((code, "theme", theme.key), int(counts.get(theme.key, 0)), cost=3.0)
            publication.within((code, "theme", theme.key), base)
        coded = frame.dropna(subset=["theme"])
        for column in COLUMNS:
            values = _values(frame, column)
            bases = frame.groupby(column)["response"].nunique()
            for value in values:
                publication.add((code, "base", column, value), int(bases.get(value, 0)), cost=5.0)
            publication.adds_up([(code, "base", column, v) for v in values], base)
            cells = coded.groupby(["theme", column])["response"].nunique()
            keys = publication.table(
                (code, column),
                {t.key: {v: int(cells.get((t.key, v), 0)) for v in values} for t in themes},
                values,
                rows_add_up=False,
                column_totals={v: (code, "base", column, v) for v in values},
                total=base,
            )
            for theme in themes:
                publication.adds_up([keys.cell(theme.key, None)], (code, "theme", theme.key))
    for code in frames:
        if code:  # one question's people are among everyone's
            for key in [k for k in publication.values if k[0] == code]:
                if ("", *key[1:]) in publication.values:
                    publication.within(key, ("", *key[1:]))
    return publication.protect()


def _coded_share(survey_round: SurveyRound, question_code: str) -> int:
    """Of this view's answers, the % coded so far (rounded down: 89.9% is not yet 90%)."""
    rows = services.progress(
        services.units(survey_round, question_code=question_code),
        services.codings(survey_round, 1),
    )
    total = sum(r.total for r in rows)
    return 100 if not total else (100 * sum(r.coded for r in rows)) // total


def _breakdown(
    frame, protected: Protected, code: str, themes: list[Theme], column: str, title, labels
) -> Breakdown:
    if not len(frame):
        return Breakdown(title, [], [])
    values = _values(frame, column)
    columns = [
        f"{labels.get(v, v)} ({protected[(code, 'base', column, v)]} people)" for v in values
    ]
    rows = [(t.name, [protected[((code, column), t.key, v)] for v in values]) for t in themes]
    return Breakdown(title, columns, rows)


def _previous_shares(survey_round: SurveyRound, question_code: str):
    """Last round's shares as last round's own page publishes them (hidden ones stay hidden)."""
    codebook = services.previous_codebook(survey_round)
    if codebook is None or codebook.round_id == survey_round.id:
        return None, {}
    if _coded_share(codebook.round, question_code) < CODED_ENOUGH:
        return None, {}
    before = theme_results(codebook.round, codebook, question_code, compare=False)
    return codebook.round, {r.key: r.share for r in before.rows if r.share is not None}


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
