"""Care leavers' outcomes: importing the council's figures, and what the board may see of them.

The import (``read_import``, ``plan_import``, ``apply_import``):
- One file of counts in the shape of the DfE's SSDA903 care leaver indicators: a row for each
  year and age group (17-18, 19-21) with the cohort and how many were in touch, in education,
  employment or training, and in suitable accommodation (``COLUMNS``; the upload page shows them
  and offers a template, CSV or XLSX).
- All or nothing: if any row has a problem, nothing is imported, and every problem is listed by
  the file's own row number (the header is row 1) so it can be found in Excel. A file half
  imported would leave a year with one age group and no way to tell.
- No silent overwrite: when the file holds a year and age group already stored, the importer is
  shown each figure that changes (was, now) and must confirm. The confirmation carries the rows
  signed with the app's secret (nothing is stored until then) and the figures it was shown; if
  someone changed them meanwhile, it is refused and the file must be uploaded again. Each row
  added or replaced writes an audit line, the replaced one saying what it was.
- The confirm page shows the stored counts unsuppressed: it is for the staff who import them
  (admins and participation workers), who hold the council's file anyway. Everything else reads
  ``outcomes_view``.

What the board sees (``outcomes_view``): the staff page, the dashboard's section and the pack's
section all render one ``OutcomesView``, so they cannot disagree, and every count in it went
through the one disclosure rule (app.core.disclosure) as one ``Publication``: for each year and
measure, the people in it and the people not in it (never shown, but anyone can work them out by
taking one from the cohort) for each age group, adding up to the cohorts and to everyone aged 17
to 21. So a small count (3 in education at 17-18, or 2 not in touch) is "fewer than 5", and the
figures it could be worked out from (the other age group and the total, or the cohort) are hidden
too. A percentage is shown only when its count and its cohort are both shown, so it never gives
a hidden count away. Years are not tied by any sum (a young person is in several years' cohorts,
and no figure adds years up), so each year is protected with its own tables, in one publication.
The survey's figures are protected separately: no sum ties outcome counts to survey answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.board.blocks import ChartBlock, Table, alt_text, pct_text
from app.board.outcomes.models import (
    AGE_GROUP_LABELS,
    ALL_AGES,
    ALL_AGES_LABEL,
    COMPARISON_LABELS,
    MEASURE_LABELS,
    AgeGroup,
    ComparisonKind,
    Measure,
    OutcomeComparison,
    OutcomeFigure,
    OutcomeTarget,
)
from app.core.charts import BarChart, LineChart, Series, bar_chart_svg, cached_svg, line_chart_svg
from app.core.clock import today
from app.core.disclosure import KEY, Publication, is_suppressed, share
from app.core.extensions import db
from app.core.spreadsheets import Sheet, TableInvalid, TableWording, read_table, to_csv, to_xlsx
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser

COLUMNS = [
    ("year", "The year the figures are for: the year ending 31 March, like 2025 or 2024-25"),
    ("age_group", "17-18 or 19-21: the care leavers' age on their birthday in that year"),
    ("cohort", "How many care leavers had that birthday in the year (a whole number)"),
    ("in_touch", "How many of them the council was in touch with"),
    ("eet", "How many were in education, employment or training"),
    ("suitable_accommodation", "How many were in suitable accommodation"),
]
COUNT_COLUMNS = ["cohort", "in_touch", "eet", "suitable_accommodation"]
PART_WORDS = {
    "in_touch": "in touch",
    "eet": "in education, employment or training",
    "suitable_accommodation": "in suitable accommodation",
}
WORDING = TableWording(
    contents="the outcome figures",
    noun="figures",
    example_headers="year, age_group, cohort, in_touch, eet, suitable_accommodation",
    sheet="Outcomes",
)
MAX_ROWS = 200
TEMPLATE_ROWS = [
    [2025, "17-18", 62, 58, 40, 55],
    [2025, "19-21", 118, 104, 63, 99],
]
AGE_ALIASES = {
    "17-18": AgeGroup.YOUNGER,
    "17 to 18": AgeGroup.YOUNGER,
    "17 and 18": AgeGroup.YOUNGER,
    "19-21": AgeGroup.OLDER,
    "19 to 21": AgeGroup.OLDER,
    "19, 20 and 21": AgeGroup.OLDER,
}
YEAR = re.compile(r"^(?P<start>\d{4})(?:\s*(?:-|/|to)\s*|)(?P<end>\d{2}|\d{4})?$")
SALT = "outcome-import"


class OutcomeImportInvalid(Exception):
    """The file cannot be imported; ``problems`` says why, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportRow:
    year: int
    age_group: str
    cohort: int
    in_touch: int
    eet: int
    suitable_accommodation: int

    @property
    def key(self) -> tuple[int, str]:
        return (self.year, self.age_group)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_COLUMNS}


def year_label(year: int) -> str:
    return f"{year - 1} to {year}"


def _header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _year(text: str) -> int | None:
    match = YEAR.match(text.strip())
    if match is None:
        return None
    start, end = int(match["start"]), match["end"]
    if end is None:
        return start
    # "2024-25", "2024/25", "202425", "2024 to 2025": the year ending 31 March 2025.
    ending = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    return ending if ending == start + 1 else None


def _whole(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def read_import(filename: str, data: bytes) -> list[ImportRow]:
    """The file's rows, or OutcomeImportInvalid listing every problem (nothing is imported)."""
    try:
        headers, body = read_table(filename, data, wording=WORDING, max_rows=MAX_ROWS)
    except TableInvalid as exc:
        raise OutcomeImportInvalid([str(exc)]) from None
    names = [_header(h) for h in headers]
    missing = [name for name, _ in COLUMNS if name not in names]
    if missing:
        listed = ", ".join(f"\u2018{m}\u2019" for m in missing)
        raise OutcomeImportInvalid(
            [
                f"The file has no column called {listed}. Row 1 must name the columns "
                f"{WORDING.example_headers}: download the template to see them"
            ]
        )
    where = {name: names.index(name) for name, _ in COLUMNS}
    problems: list[str] = []
    rows: list[ImportRow] = []
    seen: dict[tuple[int, str], int] = {}
    for number, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        row_problems, row = _read_row(number, {name: cells[i] for name, i in where.items()})
        problems += row_problems
        if row is None:
            continue
        if row.key in seen:
            problems.append(
                f"Row {number}: {year_label(row.year)}, aged {row.age_group} is already in row "
                f"{seen[row.key]}. Keep one row for each year and age group"
            )
            continue
        seen[row.key] = number
        rows.append(row)
    if not problems and not rows:
        problems.append("The file has column names but no figures under them")
    if problems:
        raise OutcomeImportInvalid(problems)
    return rows


def _read_row(number: int, cells: dict[str, str]) -> tuple[list[str], ImportRow | None]:
    problems = []
    year = _year(cells["year"]) if cells["year"].strip() else None
    if not cells["year"].strip():
        problems.append(f"Row {number}: the year is missing. Enter a year like 2025 or 2024-25")
    elif year is None or not 2000 <= year <= today().year + 1:
        problems.append(
            f"Row {number}: \u2018{cells['year']}\u2019 is not a year. Enter a year like 2025 "
            "or 2024-25"
        )
    age = AGE_ALIASES.get(re.sub(r"\s+", " ", cells["age_group"].strip().lower()))
    if not cells["age_group"].strip():
        problems.append(f"Row {number}: the age group is missing. Enter 17-18 or 19-21")
    elif age is None:
        problems.append(
            f"Row {number}: \u2018{cells['age_group']}\u2019 is not an age group we know. "
            "Enter 17-18 or 19-21"
        )
    counts: dict[str, int] = {}
    for name in COUNT_COLUMNS:
        text = cells[name]
        value = _whole(text)
        if not text.strip():
            problems.append(f"Row {number}: {name} is empty. Enter a whole number, like 12")
        elif value is None:
            problems.append(
                f"Row {number}: {name} \u2018{text}\u2019 is not a whole number. "
                "Enter a count of care leavers, like 12"
            )
        else:
            counts[name] = value
    cohort = counts.get("cohort")
    if cohort is not None:
        for name, words in PART_WORDS.items():
            if name in counts and counts[name] > cohort:
                problems.append(
                    f"Row {number}: {counts[name]} {words} is more than the cohort of {cohort}. "
                    "A part cannot be larger than the cohort"
                )
    if problems or year is None or age is None:
        return problems, None
    return [], ImportRow(year=year, age_group=age.value, **counts)


@dataclass
class Change:
    """What one row of the file does: adds a year and age group, or replaces what is stored."""

    row: ImportRow
    before: dict[str, int] | None

    @property
    def label(self) -> str:
        return f"{year_label(self.row.year)}, aged {self.row.age_group}"

    @property
    def differences(self) -> list[tuple[str, int, int]]:
        if self.before is None:
            return []
        after = self.row.counts()
        return [(name, self.before[name], after[name]) for name in COUNT_COLUMNS]

    @property
    def changes_anything(self) -> bool:
        return any(old != new for _, old, new in self.differences)


def _stored() -> dict[tuple[int, str], OutcomeFigure]:
    return {(f.year, f.age_group): f for f in db.session.scalars(sa.select(OutcomeFigure))}


def _counts(figure: OutcomeFigure) -> dict[str, int]:
    return {name: int(getattr(figure, name)) for name in COUNT_COLUMNS}


def plan_import(rows: list[ImportRow]) -> list[Change]:
    stored = _stored()
    return [
        Change(row, _counts(stored[row.key]) if row.key in stored else None)
        for row in sorted(rows, key=lambda r: r.key)
    ]


def replaces_anything(changes: list[Change]) -> bool:
    return any(c.before is not None for c in changes)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def seal(changes: list[Change]) -> str:
    """The rows and the stored figures the importer was shown, signed, for the confirm form."""
    return _serializer().dumps([[asdict(c.row), c.before] for c in changes])


def unseal(token: str) -> list[Change]:
    try:
        data = _serializer().loads(token)
        return [Change(ImportRow(**row), before) for row, before in data]
    except (BadSignature, TypeError, ValueError):
        raise OutcomeImportInvalid(["This import has expired. Upload the file again"]) from None


def apply_import(changes: list[Change], actor: StaffUser | None) -> list[Change]:
    """Store the rows; refuse if what is stored is not what the importer was shown."""
    stored = _stored()
    now_shown = {c.row.key: c.before for c in plan_import([c.row for c in changes])}
    if any(now_shown[c.row.key] != c.before for c in changes):
        raise OutcomeImportInvalid(
            [
                "Someone changed these figures since you uploaded the file. Upload it again to "
                "see what it would change now"
            ]
        )
    for change in changes:
        row = change.row
        figure = stored.get(row.key)
        if figure is None:
            figure = OutcomeFigure(year=row.year, age_group=row.age_group)
            db.session.add(figure)
        for name, value in row.counts().items():
            setattr(figure, name, value)
        figure.imported_by_id = actor.id if actor else None
        db.session.flush()
        if change.before is None:
            record("outcomes.import", figure, detail=f"{change.label}: added", actor=actor)
        else:
            was = ", ".join(f"{name} {old} \u2192 {new}" for name, old, new in change.differences)
            record(
                "outcomes.replace", figure, detail=f"{change.label}: replaced ({was})", actor=actor
            )
    db.session.commit()
    return changes


def import_message(changes: list[Change]) -> str:
    added = sorted({year_label(c.row.year) for c in changes if c.before is None})
    replaced = sorted({year_label(c.row.year) for c in changes if c.before is not None})
    parts = []
    if added:
        parts.append("Added the figures for " + ", ".join(added))
    if replaced:
        parts.append("Replaced the figures for " + ", ".join(replaced) + " (see the audit log)")
    return ". ".join(parts)


def template_file(kind: str) -> bytes:
    headers = [name for name, _ in COLUMNS]
    if kind == "csv":
        return to_csv(headers, [list(r) for r in TEMPLATE_ROWS])
    return to_xlsx(
        [
            Sheet(WORDING.sheet, [headers, *[list(r) for r in TEMPLATE_ROWS]]),
            Sheet(
                "About the columns",
                [["Column", "What to put in it"], *[list(c) for c in COLUMNS]],
                widths={"A": 26.0, "B": 80.0},
            ),
        ]
    )


# --- Targets and comparison figures -------------------------------------------------------------


def targets() -> dict[tuple[str, str], OutcomeTarget]:
    return {(t.measure, t.age_group): t for t in db.session.scalars(sa.select(OutcomeTarget))}


def comparisons() -> list[OutcomeComparison]:
    return list(
        db.session.scalars(
            sa.select(OutcomeComparison).order_by(
                OutcomeComparison.year.desc(),
                OutcomeComparison.kind,
                OutcomeComparison.measure,
                OutcomeComparison.age_group,
            )
        )
    )


def save_target(measure: str, age_group: str, percent: float) -> OutcomeTarget:
    target = targets().get((measure, age_group))
    if target is None:
        target = OutcomeTarget(measure=measure, age_group=age_group, percent=percent)
        db.session.add(target)
    target.percent = percent
    db.session.flush()
    record("outcomes.target", target, detail=f"{measure} {age_group}: {percent:g}%")
    db.session.commit()
    return target


def delete_target(target: OutcomeTarget) -> None:
    record("outcomes.target.delete", target, detail=f"{target.measure} {target.age_group}")
    db.session.delete(target)
    db.session.commit()


def save_comparison(
    kind: str, measure: str, age_group: str, year: int, percent: float, source: str
) -> OutcomeComparison:
    found = db.session.scalar(
        sa.select(OutcomeComparison).filter_by(
            kind=kind, measure=measure, age_group=age_group, year=year
        )
    )
    if found is None:
        found = OutcomeComparison(kind=kind, measure=measure, age_group=age_group, year=year)
        db.session.add(found)
    found.percent, found.source = percent, source
    db.session.flush()
    record(
        "outcomes.comparison",
        found,
        detail=f"{kind} {measure} {age_group} {year}: {percent:g}% ({source})",
    )
    db.session.commit()
    return found


def delete_comparison(found: OutcomeComparison) -> None:
    record("outcomes.comparison.delete", found, detail=f"{found.kind} {found.measure}")
    db.session.delete(found)
    db.session.commit()


# --- What the board sees ------------------------------------------------------------------------

GROUPS: list[str] = [AgeGroup.YOUNGER.value, AgeGroup.OLDER.value, ALL_AGES]
GROUP_LABELS = {
    **{g.value: label for g, label in AGE_GROUP_LABELS.items()},
    ALL_AGES: ALL_AGES_LABEL,
}


@dataclass
class Cell:
    """One published figure for a year, measure and group: a count or its label, and a share."""

    count: int | str
    cohort: int | str
    percent: float | None

    @property
    def percent_text(self) -> str:
        return pct_text(self.percent)


@dataclass
class OutcomesView:
    years: list[int]
    cohorts: dict[tuple[int, str], int | str]
    cells: dict[tuple[int, str, str], Cell]  # (year, measure, group)
    targets: dict[tuple[str, str], float]
    comparisons: dict[tuple[str, str, str], OutcomeComparison]  # latest year's (kind, m, g)
    cohort_table: Table | None = None
    comparison_table: Table | None = None
    comparison_chart: ChartBlock | None = None
    trend_charts: list[ChartBlock] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    privacy_key: str = KEY

    @property
    def latest(self) -> int | None:
        return self.years[-1] if self.years else None


def _publication(figures: Iterable[OutcomeFigure]):
    """Every year's counts as one publication: see the module docstring."""
    by_year: dict[int, dict[str, OutcomeFigure]] = {}
    for figure in figures:
        by_year.setdefault(figure.year, {})[figure.age_group] = figure
    publication = Publication()
    keys = {}
    for year, groups in sorted(by_year.items()):
        columns = [g for g in GROUPS[:2] if g in groups]
        cohort_keys = {g: ("outcomes", year, "cohort", g) for g in columns}
        total_key = ("outcomes", year, "cohort", ALL_AGES)
        for measure in Measure:
            counts = {
                "in": {g: groups[g].count(measure) for g in columns},
                "not": {g: groups[g].cohort - groups[g].count(measure) for g in columns},
            }
            keys[(year, measure.value)] = publication.table(
                ("outcomes", year, measure.value),
                counts,
                columns,
                column_totals=cohort_keys,
                total=total_key,
            )
    return publication, keys, by_year


def outcomes_view() -> OutcomesView:
    publication, keys, by_year = _publication(db.session.scalars(sa.select(OutcomeFigure)))
    shown = publication.protect()
    view = OutcomesView(
        years=sorted(by_year),
        cohorts={},
        cells={},
        targets={key: t.percent for key, t in targets().items()},
        comparisons={},
    )
    for (year, measure), table_keys in keys.items():
        table = table_keys.published(shown)
        for group in GROUPS:
            column = None if group == ALL_AGES else group
            if column is not None and column not in table.columns:
                continue
            cohort = table.column_total(column)
            count = table.cell("in", column)
            view.cohorts[(year, group)] = cohort
            view.cells[(year, measure, group)] = Cell(count, cohort, share(count, cohort))
    if view.latest is not None:
        view.comparisons = {
            (c.kind, c.measure, c.age_group): c for c in comparisons() if c.year == view.latest
        }
        _describe(view)
    return view


def _groups_in(view: OutcomesView, year: int) -> list[str]:
    return [g for g in GROUPS if (year, g) in view.cohorts]


def _comparison_value(view: OutcomesView, kind: ComparisonKind, measure: str, group: str):
    found = view.comparisons.get((kind.value, measure, group))
    return found.percent if found else None


def _describe(view: OutcomesView) -> None:
    latest = view.latest
    assert latest is not None
    view.cohort_table = Table(
        "Care leavers in each year's cohort (had their 17th to 21st birthday in the year)",
        ["Year", *[GROUP_LABELS[g] for g in GROUPS]],
        [
            [year_label(y), *[view.cohorts.get((y, g), "not imported") for g in GROUPS]]
            for y in view.years
        ],
    )
    rows = []
    for measure in Measure:
        for group in _groups_in(view, latest):
            cell = view.cells[(latest, measure.value, group)]
            target = view.targets.get((measure.value, group))
            rows.append(
                [
                    f"{MEASURE_LABELS[measure]}: {GROUP_LABELS[group].lower()}",
                    cell.percent_text if cell.percent is not None else _hidden_text(cell),
                    pct_text(target) if target is not None else "no target",
                    *[
                        pct_text(v)
                        if (v := _comparison_value(view, k, measure.value, group)) is not None
                        else "not entered"
                        for k in ComparisonKind
                    ],
                ]
            )
    view.comparison_table = Table(
        f"Outcomes in {year_label(latest)} compared with our targets, England and our "
        "statistical neighbours (share of the cohort)",
        ["Measure", "Us", "Our target", *COMPARISON_LABELS.values()],
        rows,
    )
    view.summary = [_sentence(view, m, latest) for m in Measure]
    view.comparison_chart = _comparison_chart(view, latest)
    view.trend_charts = [_trend_chart(view, m) for m in Measure]
    view.sources = sorted(
        {
            f"{COMPARISON_LABELS[ComparisonKind(c.kind)]}: {c.source}"
            for c in view.comparisons.values()
        }
    )


def _hidden_text(cell: Cell) -> str:
    """Why a share is not shown: its count's own label, or the hidden cohort's."""
    if is_suppressed(cell.count):
        return cell.count
    return "not shown: the cohort is hidden"


def target_gap(view: OutcomesView, measure: Measure, year: int) -> int | None:
    """Whole percentage points the share of everyone aged 17 to 21 is above (+) or below (-)
    its target; None when there is no target or the share is not shown."""
    cell = view.cells.get((year, measure.value, ALL_AGES))
    target = view.targets.get((measure.value, ALL_AGES))
    if cell is None or cell.percent is None or target is None:
        return None
    return round(cell.percent) - round(target)


def against_targets(view: OutcomesView) -> list[tuple[bool, str]]:
    """For the board's front page: (met, the measure's sentence) for each measure of the latest
    year that has a target and a shown share, in the published (protected) figures only."""
    if view.latest is None:
        return []
    found = []
    for measure, sentence in zip(Measure, view.summary, strict=True):
        gap = target_gap(view, measure, view.latest)
        if gap is not None:
            found.append((gap >= 0, sentence))
    return found


def _sentence(view: OutcomesView, measure: Measure, year: int) -> str:
    cell = view.cells[(year, measure.value, ALL_AGES)]
    words = MEASURE_LABELS[measure].lower()
    if cell.percent is None:
        return (
            f"In {year_label(year)}, the number of care leavers aged 17 to 21 {words} is not "
            "shown, to protect privacy."
        )
    text = f"In {year_label(year)}, {cell.percent_text} of care leavers aged 17 to 21 were {words}"
    extras = []
    target = view.targets.get((measure.value, ALL_AGES))
    gap = target_gap(view, measure, year)
    if target is not None and gap is not None:
        extras.append(
            f"our target is {pct_text(target)}"
            + (
                ", met"
                if gap >= 0
                else f", {abs(gap)} percentage point{'s' if abs(gap) != 1 else ''} short"
            )
        )
    national = _comparison_value(view, ComparisonKind.NATIONAL, measure.value, ALL_AGES)
    if national is not None:
        extras.append(f"England {pct_text(national)}")
    neighbours = _comparison_value(view, ComparisonKind.NEIGHBOURS, measure.value, ALL_AGES)
    if neighbours is not None:
        extras.append(f"statistical neighbours {pct_text(neighbours)}")
    return text + (f" ({'; '.join(extras)})." if extras else ".")


def _comparison_chart(view: OutcomesView, year: int) -> ChartBlock:
    labels = [MEASURE_LABELS[m] for m in Measure]
    cells = [view.cells[(year, m.value, ALL_AGES)] for m in Measure]
    values = [c.percent for c in cells]
    value_labels = [c.percent_text if c.percent is not None else _hidden_text(c) for c in cells]
    series = [Series("Our target", [view.targets.get((m.value, ALL_AGES)) for m in Measure])]
    for kind in ComparisonKind:
        series.append(
            Series(
                COMPARISON_LABELS[kind],
                [_comparison_value(view, kind, m.value, ALL_AGES) for m in Measure],
            )
        )
    series = [s for s in series if any(v is not None for v in s.values)]
    title = f"Care leavers aged 17 to 21, {year_label(year)}"
    takeaway = _sentence(view, Measure.EET, year)
    chart = BarChart(
        title,
        labels,
        values,
        value_labels,
        "Share of the cohort (%)",
        maximum=100,
        series=series,
        bar_name="Us",
    )
    pairs = [(label, text) for label, text in zip(labels, value_labels, strict=True)]
    for s in series:
        pairs += [
            (f"{label}, {s.name.lower()}", pct_text(v))
            for label, v in zip(labels, s.values, strict=True)
            if v is not None
        ]
    return ChartBlock(
        "outcomes-comparison",
        title,
        takeaway,
        alt_text("Bar chart", title, takeaway, pairs),
        cached_svg("bar", chart.data(), lambda: bar_chart_svg(chart)),
        view.comparison_table or Table("", [], []),
    )


def _trend_chart(view: OutcomesView, measure: Measure) -> ChartBlock:
    labels = [year_label(y) for y in view.years]
    cells = [view.cells.get((y, measure.value, ALL_AGES)) for y in view.years]
    values = [c.percent if c else None for c in cells]
    value_labels = [
        (c.percent_text if c.percent is not None else _hidden_text(c)) if c else "none"
        for c in cells
    ]
    target = view.targets.get((measure.value, ALL_AGES))
    title = f"{MEASURE_LABELS[measure]}, by year"
    shown = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    if len(shown) >= 2:
        first, last = shown[0], shown[-1]
        direction = "up" if last[1] > first[1] else "down" if last[1] < first[1] else "level"
        takeaway = (
            f"{pct_text(last[1])} in {last[0]}, {direction} from {pct_text(first[1])} in "
            f"{first[0]}."
        )
    else:
        takeaway = "Not enough years are shown to see a trend yet."
    chart = LineChart(
        title,
        labels,
        values,
        value_labels,
        "Share of care leavers aged 17 to 21 (%)",
        target=[target] * len(labels) if target is not None else [],
        target_name="Our target",
        line_name="Us",
    )
    headers = ["Year"]
    for group in GROUPS:
        headers += [GROUP_LABELS[group], f"{GROUP_LABELS[group]} (%)"]
    rows = []
    for year in view.years:
        row: list = [year_label(year)]
        for group in GROUPS:
            cell = view.cells.get((year, measure.value, group))
            row += [cell.count, cell.percent_text] if cell else ["not imported", ""]
        rows.append(row)
    return ChartBlock(
        f"outcomes-{measure.value}",
        title,
        takeaway,
        alt_text("Line chart", title, takeaway, list(zip(labels, value_labels, strict=True))),
        cached_svg("line", chart.data(), lambda: line_chart_svg(chart)),
        Table(
            f"{MEASURE_LABELS[measure]}: number and share of the cohort, by year",
            headers,
            rows,
        ),
    )
