"""Fictional outcome figures for the demo: four years of Northbridge's care leaver counts (made
up, not DfE data), targets, and England and statistical-neighbour figures whose source says they
are fictional. In 2023 to 2024, 3 of the 17 to 18 year olds were not in touch: the outcomes page
shows how that is protected. Idempotent: if any outcome figure exists, nothing is added.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.board.outcomes.models import OutcomeComparison, OutcomeFigure, OutcomeTarget
from app.core.extensions import db

FICTIONAL = "Fictional figure for the demo, not published data"
# year: ((cohort, in touch, EET, suitable accommodation) at 17-18, the same at 19-21)
FIGURES = {
    2023: ((55, 50, 34, 47), (104, 92, 55, 86)),
    2024: ((58, 55, 37, 50), (110, 97, 58, 91)),
    2025: ((61, 56, 40, 54), (114, 101, 62, 95)),
    2026: ((60, 55, 42, 54), (118, 106, 67, 99)),
}
TARGETS = {"in_touch": 95.0, "eet": 60.0, "suitable_accommodation": 90.0}
COMPARISONS = {
    "national": {"in_touch": 92.0, "eet": 55.0, "suitable_accommodation": 88.0},
    "neighbours": {"in_touch": 93.0, "eet": 53.0, "suitable_accommodation": 87.0},
}


def seed_outcomes_demo() -> None:
    if db.session.scalar(sa.select(OutcomeFigure.id).limit(1)) is not None:
        return
    for year, groups in FIGURES.items():
        for age_group, (cohort, in_touch, eet, accommodation) in zip(
            ("17-18", "19-21"), groups, strict=True
        ):
            db.session.add(
                OutcomeFigure(
                    year=year,
                    age_group=age_group,
                    cohort=cohort,
                    in_touch=in_touch,
                    eet=eet,
                    suitable_accommodation=accommodation,
                )
            )
    for measure, percent in TARGETS.items():
        db.session.add(OutcomeTarget(measure=measure, age_group="all", percent=percent))
    latest = max(FIGURES)
    for kind, figures in COMPARISONS.items():
        for measure, percent in figures.items():
            db.session.add(
                OutcomeComparison(
                    kind=kind,
                    measure=measure,
                    age_group="all",
                    year=latest,
                    percent=percent,
                    source=FICTIONAL,
                )
            )
    db.session.commit()
