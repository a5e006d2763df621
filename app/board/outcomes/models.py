"""Tables for care leavers' outcomes: the council's own counts, its targets, and figures to
compare with (national, statistical neighbours).

Decisions a newcomer might undo:
- Counts only, never people: one row is a year and an age group, in the shape of the DfE's
  SSDA903 care leaver indicators (how many had their 17th to 21st birthday in the year, and of
  them how many the council was in touch with, were in education, employment or training, and
  were in suitable accommodation). ``year`` is the year the collection ends (31 March), so
  2025 is "2024 to 2025".
- A part is never larger than the cohort: a CHECK in the database, not only in the import.
- One row per year and age group (UNIQUE): re-importing a year replaces it, after the
  importer has seen what changes and confirmed (services.py), with an audit line.
- Targets and comparison figures are percentages entered by staff, with where they come from.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model


class AgeGroup(StrEnum):
    YOUNGER = "17-18"
    OLDER = "19-21"


AGE_GROUP_LABELS = {AgeGroup.YOUNGER: "Aged 17 to 18", AgeGroup.OLDER: "Aged 19 to 21"}
ALL_AGES = "all"  # a target or comparison figure for everyone aged 17 to 21
ALL_AGES_LABEL = "All aged 17 to 21"


class Measure(StrEnum):
    IN_TOUCH = "in_touch"
    EET = "eet"
    ACCOMMODATION = "suitable_accommodation"


MEASURE_LABELS = {
    Measure.IN_TOUCH: "In touch with the council",
    Measure.EET: "In education, employment or training",
    Measure.ACCOMMODATION: "In suitable accommodation",
}


class ComparisonKind(StrEnum):
    NATIONAL = "national"
    NEIGHBOURS = "neighbours"


COMPARISON_LABELS = {
    ComparisonKind.NATIONAL: "England",
    ComparisonKind.NEIGHBOURS: "Statistical neighbours",
}


class OutcomeFigure(Model):
    """One year's counts for one age group."""

    __tablename__ = "outcome_figure"
    __table_args__ = (
        sa.UniqueConstraint("year", "age_group"),
        sa.CheckConstraint("age_group IN ('17-18','19-21')", name="age_group_known"),
        sa.CheckConstraint("cohort >= 0", name="cohort_not_negative"),
        sa.CheckConstraint("in_touch BETWEEN 0 AND cohort", name="in_touch_within_cohort"),
        sa.CheckConstraint("eet BETWEEN 0 AND cohort", name="eet_within_cohort"),
        sa.CheckConstraint(
            "suitable_accommodation BETWEEN 0 AND cohort", name="accommodation_within_cohort"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    year: so.Mapped[int] = so.mapped_column(index=True)
    age_group: so.Mapped[str] = so.mapped_column(sa.String(5))
    cohort: so.Mapped[int]
    in_touch: so.Mapped[int]
    eet: so.Mapped[int]
    suitable_accommodation: so.Mapped[int]
    imported_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    imported_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    def count(self, measure: Measure) -> int:
        return int(getattr(self, measure.value))


class OutcomeTarget(Model):
    """The council's target for a measure (a percentage of the cohort), for an age group or
    for everyone aged 17 to 21 (``age_group`` "all")."""

    __tablename__ = "outcome_target"
    __table_args__ = (
        sa.UniqueConstraint("measure", "age_group"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    measure: so.Mapped[str] = so.mapped_column(sa.String(30))
    age_group: so.Mapped[str] = so.mapped_column(sa.String(5))
    percent: so.Mapped[float]


class OutcomeComparison(Model):
    """A published figure to compare with: England's or the statistical neighbours' average."""

    __tablename__ = "outcome_comparison"
    __table_args__ = (
        sa.UniqueConstraint("kind", "measure", "age_group", "year"),
        sa.CheckConstraint("kind IN ('national','neighbours')", name="kind_known"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    measure: so.Mapped[str] = so.mapped_column(sa.String(30))
    age_group: so.Mapped[str] = so.mapped_column(sa.String(5))
    year: so.Mapped[int]
    percent: so.Mapped[float]
    source: so.Mapped[str] = so.mapped_column(sa.String(200))
